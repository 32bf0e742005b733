# package.cmake - the Debian package, built by "cpack -G DEB" in the build
# directory from what install.cmake installs.
#
# The package installs files and creates the warmthd user and its state
# directory (packaging/debian/postinst); it never enables or starts the
# service, which needs a configuration that names the real inputs first.

set(WARMTH_PACKAGE_MAINTAINER "warmthd maintainers <maintainers@example.invalid>" CACHE STRING
    "The Maintainer field of the Debian package")

set(CPACK_GENERATOR DEB)
set(CPACK_PACKAGE_NAME warmthd)
set(CPACK_PACKAGE_VERSION ${PROJECT_VERSION})
set(CPACK_PACKAGE_CONTACT "${WARMTH_PACKAGE_MAINTAINER}")
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY
    "engagement tracker that tells you when to send a connection request")
set(CPACK_RESOURCE_FILE_README "${PROJECT_SOURCE_DIR}/README.md")
# Install through DESTDIR into the staging directory with the real prefix,
# /usr whatever the build's own prefix: the config and the unit go to
# absolute paths outside the prefix, and the unit is rewritten with the
# prefix at install time (install.cmake), which must be /usr, not the
# staging directory.
set(CPACK_SET_DESTDIR ON)
set(CPACK_INSTALL_PREFIX /usr)
set(CPACK_PACKAGING_INSTALL_PREFIX /usr)

set(CPACK_DEBIAN_PACKAGE_NAME warmthd)
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
set(CPACK_DEBIAN_PACKAGE_MAINTAINER "${WARMTH_PACKAGE_MAINTAINER}")
set(CPACK_DEBIAN_PACKAGE_SECTION net)
set(CPACK_DEBIAN_PACKAGE_PRIORITY optional)
# CPackDeb puts the summary first and indents these lines itself; the
# empty line becomes the " ." paragraph break.
set(CPACK_DEBIAN_PACKAGE_DESCRIPTION "warmthd tails JSON Lines engagement logs (likes, comments, follows,
invitations) written by a collector, keeps durable per-contact state in
SQLite, scores each contact's warmth and tells you who is ready to be
asked to connect. warmthctl queries the state and steers the daemon.

The service is installed but neither enabled nor started: edit
/etc/warmthd/warmthd.yaml, then run systemctl enable --now warmthd.")

# The library dependencies are read from the binaries by dpkg-shlibdeps
# (dpkg-dev), so they follow whatever versions the build linked against.
# Without it the list is the one for Debian 12.
find_program(WARMTH_DPKG_SHLIBDEPS dpkg-shlibdeps)
mark_as_advanced(WARMTH_DPKG_SHLIBDEPS)
if(WARMTH_DPKG_SHLIBDEPS)
  set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
  set(CPACK_DEBIAN_PACKAGE_DEPENDS "adduser")
else()
  # What dpkg-shlibdeps finds on Debian 12 for the four programs (ldd:
  # warmthd links libuv, libcurl, libssl (libcrypto), libmicrohttpd and,
  # through the C++ parser, libsimdjson and libstdc++; warmth-import libzip
  # and libcsv).
  set(CPACK_DEBIAN_PACKAGE_DEPENDS
      "adduser, libc6 (>= 2.34), libcsv3, libcurl4, libgcc-s1, libmicrohttpd12, libsimdjson14, libsqlite3-0, libssl3, libstdc++6, libunistring2, libuv1, libxxhash0, libyajl2, libyaml-0-2, libzip4")
endif()
# The programs are installed stripped (lintian: unstripped-binary-or-object);
# the build tree keeps the symbols for debugging.
set(CPACK_STRIP_FILES ON)
# Rotation of the dead-letter file needs logrotate, but warmthd runs fine
# without it.
# libjs-chart.js: the dashboard's charts (/vendor/chart.js); without it the page has none.
set(CPACK_DEBIAN_PACKAGE_RECOMMENDS "logrotate, libjs-chart.js")

# dpkg keeps an administrator's changes to these on upgrade and removes
# them only on purge.
set(_warmth_conffiles "${PROJECT_BINARY_DIR}/package/conffiles")
file(WRITE "${_warmth_conffiles}"
     "${WARMTH_SYSCONFDIR}/warmthd/warmthd.yaml\n${WARMTH_SYSCONFDIR}/logrotate.d/warmthd\n")
set(CPACK_DEBIAN_PACKAGE_CONTROL_EXTRA
    "${_warmth_conffiles}"
    "${PROJECT_SOURCE_DIR}/packaging/debian/postinst"
    "${PROJECT_SOURCE_DIR}/packaging/debian/prerm"
    "${PROJECT_SOURCE_DIR}/packaging/debian/postrm")
# Maintainer scripts 0755 and conffiles 0644 whatever the checkout's modes.
set(CPACK_DEBIAN_PACKAGE_CONTROL_STRICT_PERMISSION ON)

include(CPack)
