# Cross-building for 32-bit ARM boards (Debian armhf: ARMv7 with VFPv3-D16, e.g. BeagleBone Black,
# Pi 2; not the ARMv6 Pi Zero/Zero W/Pi 1) against a sysroot of Debian's armhf -dev packages
# (scripts/cross armhf makes it with mmdebstrap, because this host's armhf multiarch packages can
# lag behind amd64's). CMAKE_SYSROOT names it. Tests run under qemu-arm with that sysroot's loader.
set(CMAKE_SYSTEM_NAME Linux)
set(CMAKE_SYSTEM_PROCESSOR armv7l)
set(CMAKE_C_COMPILER arm-linux-gnueabihf-gcc)
set(CMAKE_CXX_COMPILER arm-linux-gnueabihf-g++)
set(CMAKE_LIBRARY_ARCHITECTURE arm-linux-gnueabihf)
# GCC notes that a 2017 compiler passed some structs differently; nothing here links with one.
set(CMAKE_CXX_FLAGS_INIT -Wno-psabi)
if(NOT CMAKE_SYSROOT)
  message(FATAL_ERROR "armhf needs -DCMAKE_SYSROOT=DIR (scripts/cross armhf makes one)")
endif()
set(CMAKE_FIND_ROOT_PATH_MODE_PROGRAM NEVER)
set(CMAKE_FIND_ROOT_PATH_MODE_LIBRARY ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_INCLUDE ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_PACKAGE ONLY)
# pkg-config reads only the sysroot's .pc files and prefixes the paths they give with it.
set(ENV{PKG_CONFIG_SYSROOT_DIR} ${CMAKE_SYSROOT})
set(ENV{PKG_CONFIG_LIBDIR}
    ${CMAKE_SYSROOT}/usr/lib/arm-linux-gnueabihf/pkgconfig:${CMAKE_SYSROOT}/usr/share/pkgconfig)
set(CMAKE_CROSSCOMPILING_EMULATOR qemu-arm-static -L ${CMAKE_SYSROOT})
