#!/usr/bin/env bash
# Builds the consumers of the core without Python (add_subdirectory, FetchContent, find_package
# on an installed core, a C program on the C ABI), runs them, and checks their coefficients against
# steepest.fit's. Usage: cpp/examples/run_consumers.sh [python]
set -euo pipefail
cd "$(dirname "$0")"
python=${1:-python3}
work=$(mktemp -d)
cmake -S ../.. -B "$work/core" -DCMAKE_BUILD_TYPE=Release -DSTEEPEST_BUILD_C_API=ON -DSTEEPEST_INSTALL=ON
cmake --build "$work/core" -j 2
cmake --install "$work/core" --prefix "$work/prefix"
cmake -S add_subdirectory -B "$work/add_subdirectory" -DCMAKE_BUILD_TYPE=Release
cmake --build "$work/add_subdirectory" -j 2
cmake -S fetchcontent -B "$work/fetchcontent" -DCMAKE_BUILD_TYPE=Release
cmake --build "$work/fetchcontent" -j 2
cmake -S find_package -B "$work/find_package" -DCMAKE_BUILD_TYPE=Release -DCMAKE_PREFIX_PATH="$work/prefix"
cmake --build "$work/find_package" -j 2
cmake -S c_abi -B "$work/c_abi" -DCMAKE_BUILD_TYPE=Release -DCMAKE_PREFIX_PATH="$work/prefix"
cmake --build "$work/c_abi" -j 2
"$work/add_subdirectory/fit_vector" > "$work/add_subdirectory.txt" 2> /dev/null
"$work/fetchcontent/fit_vector" > "$work/fetchcontent.txt" 2> /dev/null
"$work/find_package/fit_vector" > "$work/find_package.txt" 2> /dev/null
LD_LIBRARY_PATH="$work/prefix/lib:$work/prefix/lib64:${LD_LIBRARY_PATH:-}" "$work/c_abi/fit_c" > "$work/c_abi.txt"
outputs=("$work/add_subdirectory.txt" "$work/fetchcontent.txt" "$work/find_package.txt" "$work/c_abi.txt")
"$python" compare.py "${outputs[@]}"
STEEPEST_KERNEL=generic "$python" compare.py --exact "${outputs[@]}"
