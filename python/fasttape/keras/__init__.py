"""``fasttape.keras``: the parts of Keras that a custom training loop written
around a GradientTape uses: optimizers (with their learning-rate schedules),
losses, metrics and initializers. Keras layers and models are not provided."""

from . import initializers, losses, metrics, optimizers  # noqa: F401

__all__ = ["initializers", "losses", "metrics", "optimizers"]
