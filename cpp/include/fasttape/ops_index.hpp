// The index ops of fasttape's public C++ API (see ops.hpp for conventions).
#pragma once

#include "fasttape/ops.hpp"

namespace fasttape {}  // namespace fasttape
