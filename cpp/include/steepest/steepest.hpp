#pragma once

// The whole header-only core: include this one file.
#include "checks.hpp"
#include "gradient.hpp"
#include "hessian.hpp"
#include "losses.hpp"
#include "optim.hpp"
#include "shuffle.hpp"
#include "softmax.hpp"
#include "train.hpp"
#include "types.hpp"
#include "version.hpp"
