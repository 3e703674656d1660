#pragma once

// The whole header-only core: include this one file.
#include "checks.hpp"
#include "hessian.hpp"
#include "gradient.hpp"
#include "optim.hpp"
#include "shuffle.hpp"
#include "train.hpp"
#include "types.hpp"
#include "version.hpp"
