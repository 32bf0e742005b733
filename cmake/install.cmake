# install.cmake - where "cmake --install" puts warmthd's files, included at
# the end of CMakeLists.txt so that the build's source lists stay apart from
# the install layout.
#
# The programs themselves are installed by the install(TARGETS) lines in
# CMakeLists.txt (warmthd to sbin, warmthctl, warmth-gen and warmth-import to bin); this
# file installs everything around them. Paths follow GNUInstallDirs and are
# relative to the prefix, except those that the rest of the system looks for
# in one fixed place whatever the prefix: the configuration (warmthd's
# compiled-in default is /etc/warmthd/warmthd.yaml), the logrotate snippet
# and the systemd unit. Each of those has a cache variable, so a packager
# can still move it. DESTDIR applies to every path.
#
# The Debian package (CPack) is described in package.cmake, included at the
# end: it packages exactly what is installed here.

include(GNUInstallDirs)

# GNUInstallDirs puts a /usr prefix's sysconfdir in /etc, but only when the
# prefix is known at configure time; "cmake --install --prefix /usr" and
# CPack choose it later. warmthd looks for /etc/warmthd/warmthd.yaml
# whatever its prefix, so the default is /etc, not the prefix's etc.
set(WARMTH_SYSCONFDIR "/etc" CACHE PATH
    "Where the configuration and the logrotate snippet go (warmthd's default config is /etc/warmthd/warmthd.yaml)")

# systemd only reads units from its own directories, so the unit goes where
# systemd.pc says rather than under the prefix.
if(NOT DEFINED CACHE{WARMTH_SYSTEMD_UNITDIR})
  pkg_get_variable(_warmth_unitdir systemd systemdsystemunitdir)
  if(NOT _warmth_unitdir)
    set(_warmth_unitdir "/lib/systemd/system")
  endif()
  set(WARMTH_SYSTEMD_UNITDIR "${_warmth_unitdir}" CACHE PATH
      "Where the systemd service unit goes (from pkg-config systemd)")
endif()

# bash-completion loads a command's completion on demand from its
# completions directory; without bash-completion.pc the prefix's own
# share/bash-completion/completions is right, as bash-completion also
# searches $XDG_DATA_DIRS (which holds /usr/local/share).
if(NOT DEFINED CACHE{WARMTH_BASH_COMPLETION_DIR})
  pkg_get_variable(_warmth_completionsdir bash-completion completionsdir)
  if(NOT _warmth_completionsdir)
    set(_warmth_completionsdir "${CMAKE_INSTALL_DATADIR}/bash-completion/completions")
  endif()
  set(WARMTH_BASH_COMPLETION_DIR "${_warmth_completionsdir}" CACHE PATH
      "Where the bash completion of warmthctl goes (from pkg-config bash-completion)")
endif()

# An installed configuration is the administrator's: installing again (an
# upgrade from source) must not overwrite it. The shipped one then goes
# beside it as warmthd.yaml.new, as dpkg would leave a .dpkg-dist. A
# package is staged into an empty tree, so it always gets the file itself.
install(CODE "
  set(_dir \"${WARMTH_SYSCONFDIR}/warmthd\")
  if(NOT IS_ABSOLUTE \"\${_dir}\")
    set(_dir \"\${CMAKE_INSTALL_PREFIX}/\${_dir}\")
  endif()
  set(_name warmthd.yaml)
  if(EXISTS \"\$ENV{DESTDIR}\${_dir}/warmthd.yaml\")
    file(READ \"\$ENV{DESTDIR}\${_dir}/warmthd.yaml\" _old)
    file(READ \"${PROJECT_SOURCE_DIR}/conf/warmthd.yaml\" _new)
    if(NOT _old STREQUAL _new)
      set(_name warmthd.yaml.new)
      message(STATUS \"Keeping \$ENV{DESTDIR}\${_dir}/warmthd.yaml; the shipped one is \${_name}\")
    endif()
  endif()
  file(INSTALL DESTINATION \"\${_dir}\" TYPE FILE
       FILES \"${PROJECT_SOURCE_DIR}/conf/warmthd.yaml\" RENAME \${_name})
")

install(FILES ${PROJECT_SOURCE_DIR}/packaging/logrotate/warmthd
        DESTINATION ${WARMTH_SYSCONFDIR}/logrotate.d)

# The unit names the binary and the config by absolute path, written for a
# /usr prefix. The prefix is only final at install time ("--prefix", CPack),
# so the installed copy is rewritten then; otherwise a /usr/local install
# would get a unit that starts a /usr/sbin/warmthd that is not there.
set(_warmth_unit_out "${PROJECT_BINARY_DIR}/install/warmthd.service")
install(CODE "
  file(READ \"${PROJECT_SOURCE_DIR}/systemd/warmthd.service\" _unit)
  set(_sbindir \"${CMAKE_INSTALL_SBINDIR}\")
  set(_docdir \"${CMAKE_INSTALL_DOCDIR}\")
  if(NOT IS_ABSOLUTE \"\${_sbindir}\")
    set(_sbindir \"\${CMAKE_INSTALL_PREFIX}/\${_sbindir}\")
  endif()
  if(NOT IS_ABSOLUTE \"\${_docdir}\")
    set(_docdir \"\${CMAKE_INSTALL_PREFIX}/\${_docdir}\")
  endif()
  string(REPLACE \"/usr/sbin/warmthd\" \"\${_sbindir}/warmthd\" _unit \"\${_unit}\")
  string(REPLACE \"/etc/warmthd/\" \"${WARMTH_SYSCONFDIR}/warmthd/\" _unit \"\${_unit}\")
  string(REPLACE \"/usr/share/doc/warmthd/\" \"\${_docdir}/\" _unit \"\${_unit}\")
  file(WRITE \"${_warmth_unit_out}\" \"\${_unit}\")
")
install(FILES ${_warmth_unit_out} DESTINATION ${WARMTH_SYSTEMD_UNITDIR})

# The warmthd user and group (sysusers.d) and its directories (tmpfiles.d),
# for the package's postinst and for an install from source alike: running
# warmthd once as root before the user existed left a root-owned state
# directory. systemd reads these only from its own directories, so they go
# where systemd.pc says, as the unit does.
foreach(_kind sysusers tmpfiles)
  string(TOUPPER ${_kind} _upper)
  if(NOT DEFINED CACHE{WARMTH_${_upper}_DIR})
    pkg_get_variable(_warmth_dir systemd ${_kind}dir)
    if(NOT _warmth_dir)
      set(_warmth_dir "/usr/lib/${_kind}.d")
    endif()
    set(WARMTH_${_upper}_DIR "${_warmth_dir}" CACHE PATH
        "Where the ${_kind}.d file goes (from pkg-config systemd)")
  endif()
  install(FILES ${PROJECT_SOURCE_DIR}/systemd/${_kind}.d/warmthd.conf
          DESTINATION ${WARMTH_${_upper}_DIR})
endforeach()

# Every man page in docs/man (NAME.SECTION) is installed, compressed as
# Debian policy asks (gzip -9n: no name or time stamp, so the same page
# gives the same bytes), in the section its name ends with. The pages are
# compressed at build time, into the build tree; a page added to docs/man
# is picked up at the next configure (CONFIGURE_DEPENDS).
find_program(WARMTH_GZIP gzip REQUIRED)
mark_as_advanced(WARMTH_GZIP)
file(GLOB _warmth_man_sources CONFIGURE_DEPENDS ${PROJECT_SOURCE_DIR}/docs/man/*)
set(_warmth_compressed)
foreach(_page ${_warmth_man_sources})
  get_filename_component(_name ${_page} NAME)
  if(NOT _name MATCHES "\\.([1-8])$")
    continue()
  endif()
  set(_section ${CMAKE_MATCH_1})
  set(_gz ${PROJECT_BINARY_DIR}/man/${_name}.gz)
  add_custom_command(OUTPUT ${_gz}
    COMMAND ${CMAKE_COMMAND} -E make_directory ${PROJECT_BINARY_DIR}/man
    COMMAND sh -c "\"$1\" -9n -c \"$2\" > \"$3\"" sh ${WARMTH_GZIP} ${_page} ${_gz}
    DEPENDS ${_page} VERBATIM)
  list(APPEND _warmth_compressed ${_gz})
  install(FILES ${_gz} DESTINATION ${CMAKE_INSTALL_MANDIR}/man${_section})
endforeach()

# The Debian changelog (the package is native: it is its own upstream, so
# the file is changelog.gz) and the machine-readable copyright file, which
# every Debian package carries in its doc directory.
set(_warmth_changelog ${PROJECT_BINARY_DIR}/man/changelog.gz)
add_custom_command(OUTPUT ${_warmth_changelog}
  COMMAND ${CMAKE_COMMAND} -E make_directory ${PROJECT_BINARY_DIR}/man
  COMMAND sh -c "\"$1\" -9n -c \"$2\" > \"$3\"" sh ${WARMTH_GZIP}
          ${PROJECT_SOURCE_DIR}/packaging/debian/changelog ${_warmth_changelog}
  DEPENDS ${PROJECT_SOURCE_DIR}/packaging/debian/changelog VERBATIM)
list(APPEND _warmth_compressed ${_warmth_changelog})
add_custom_target(warmth-compressed-docs ALL DEPENDS ${_warmth_compressed})
install(FILES ${_warmth_changelog} ${PROJECT_SOURCE_DIR}/packaging/debian/copyright
        DESTINATION ${CMAKE_INSTALL_DOCDIR})

# The dashboard's page (http.www_dir's default); Chart.js comes from
# Debian's libjs-chart.js (a Recommends), never from a copy here.
install(DIRECTORY ${PROJECT_SOURCE_DIR}/www/ DESTINATION ${CMAKE_INSTALL_DATADIR}/warmthd/www)

# bash-completion finds a completion by the command's name.
install(FILES ${PROJECT_SOURCE_DIR}/tools/completion/warmthctl.bash
        DESTINATION ${WARMTH_BASH_COMPLETION_DIR} RENAME warmthctl)

# The unit's Documentation= points at the README here; warmthd(8) and
# warmth-gen --help point at events.md (the event format) here too.
file(GLOB _warmth_docs CONFIGURE_DEPENDS ${PROJECT_SOURCE_DIR}/docs/*.md)
install(FILES ${PROJECT_SOURCE_DIR}/README.md ${_warmth_docs}
        DESTINATION ${CMAKE_INSTALL_DOCDIR})

include(${CMAKE_CURRENT_LIST_DIR}/package.cmake)
