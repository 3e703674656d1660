#pragma once

// The one place the version is written: scikit-build-core reads the string below for the Python
// package metadata, CMake reads it for project(VERSION), and steepest.__version__ comes from it.
#define STEEPEST_VERSION_MAJOR 0
#define STEEPEST_VERSION_MINOR 1
#define STEEPEST_VERSION_PATCH 0
#define STEEPEST_VERSION_STRING "0.1.0"
