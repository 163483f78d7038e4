# GB_SANITIZE=address,undefined or GB_SANITIZE=thread: applied to every target,
# compile and link, so the tests run under the sanitizer as a whole program.
# GB_FUZZ=ON (clang only) adds libFuzzer's coverage to everything and builds
# the fuzz targets (tests/fuzz); it implies address,undefined.
if(GB_FUZZ)
  if(NOT CMAKE_C_COMPILER_ID MATCHES "Clang")
    message(FATAL_ERROR "GB_FUZZ needs clang: configure with CC=clang")
  endif()
  if(NOT GB_SANITIZE)
    # In the cache, where the CLI tests look for what the build is.
    set(GB_SANITIZE address,undefined CACHE STRING "Sanitizers (GB_FUZZ)" FORCE)
  endif()
  add_compile_options(-fsanitize=fuzzer-no-link)
endif()
if(GB_SANITIZE)
  if(GB_SANITIZE MATCHES "thread" AND GB_SANITIZE MATCHES "address")
    message(FATAL_ERROR "GB_SANITIZE: thread cannot be combined with address")
  endif()
  add_compile_options(-fsanitize=${GB_SANITIZE} -fno-omit-frame-pointer -fno-sanitize-recover=all)
  add_link_options(-fsanitize=${GB_SANITIZE})
  add_compile_definitions(GB_SANITIZED=1)
endif()
