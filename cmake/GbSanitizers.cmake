# GB_SANITIZE=address,undefined or GB_SANITIZE=thread: applied to every target,
# compile and link, so the tests run under the sanitizer as a whole program.
if(GB_SANITIZE)
  if(GB_SANITIZE MATCHES "thread" AND GB_SANITIZE MATCHES "address")
    message(FATAL_ERROR "GB_SANITIZE: thread cannot be combined with address")
  endif()
  add_compile_options(-fsanitize=${GB_SANITIZE} -fno-omit-frame-pointer -fno-sanitize-recover=all)
  add_link_options(-fsanitize=${GB_SANITIZE})
  add_compile_definitions(GB_SANITIZED=1)
endif()
