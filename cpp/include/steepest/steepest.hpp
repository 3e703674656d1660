#pragma once

// The whole header-only core: include this one file.
#include "checks.hpp"
#include "mse.hpp"
#include "parallel.hpp"
#include "problem.hpp"
#include "train.hpp"
#include "version.hpp"
