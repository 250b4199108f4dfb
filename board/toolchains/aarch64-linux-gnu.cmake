# Cross-building for arm64 boards (Raspberry Pi 3/4/5, Zero 2 W, CM4/CM5) on a Debian host with
# multiarch: `dpkg --add-architecture arm64`, crossbuild-essential-arm64 and the :arm64 -dev
# packages (scripts/cross installs them). Tests run under qemu-user (binfmt), also when GoogleTest
# lists them at build time.
set(CMAKE_SYSTEM_NAME Linux)
set(CMAKE_SYSTEM_PROCESSOR aarch64)
set(CMAKE_C_COMPILER aarch64-linux-gnu-gcc)
set(CMAKE_CXX_COMPILER aarch64-linux-gnu-g++)
set(CMAKE_LIBRARY_ARCHITECTURE aarch64-linux-gnu)
set(PKG_CONFIG_EXECUTABLE aarch64-linux-gnu-pkg-config CACHE FILEPATH "pkg-config for arm64")
set(CMAKE_CROSSCOMPILING_EMULATOR qemu-aarch64-static)
