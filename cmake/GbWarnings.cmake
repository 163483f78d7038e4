# Warning flags shared by every target; GB_WERROR turns them into errors (CI does).
add_library(gb_warnings INTERFACE)
target_compile_options(gb_warnings INTERFACE -Wall -Wextra -Wshadow -Wstrict-prototypes
  -Wmissing-prototypes -Wno-unused-parameter)
if(GB_WERROR)
  target_compile_options(gb_warnings INTERFACE -Werror)
endif()
