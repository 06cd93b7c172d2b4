dnl SPDX-License-Identifier: GPL-2.0-or-later
# MS_CC_ADD_FLAGS(VAR, FLAGS)
# Append to VAR each of FLAGS that the C compiler accepts, probing one at a
# time with -Werror so a compiler that only warns about a flag rejects it.
AC_DEFUN([MS_CC_ADD_FLAGS], [
  for ms_flag in $2; do
    AC_MSG_CHECKING([whether $CC accepts $ms_flag])
    ms_save_CFLAGS=$CFLAGS
    CFLAGS="$CFLAGS -Werror $ms_flag"
    AC_COMPILE_IFELSE([AC_LANG_PROGRAM([], [])],
      [AC_MSG_RESULT([yes]); $1="$$1 $ms_flag"],
      [AC_MSG_RESULT([no])])
    CFLAGS=$ms_save_CFLAGS
  done
])
