/*
 * vigil/export.h - VIGIL_API marks the public functions: libvigil is built
 * with -fvisibility=hidden, so only what carries VIGIL_API (the vigil_*
 * functions of include/vigil/) is exported from libvigil.so.  A test lists
 * the library's dynamic symbols and fails on anything else.
 */
#ifndef VIGIL_EXPORT_H
#define VIGIL_EXPORT_H

#if defined(__GNUC__) || defined(__clang__)
#define VIGIL_API __attribute__((visibility("default")))
#else
#define VIGIL_API
#endif

/* The one place the version is written (the Makefile and vigil.pc read it
 * from here). */
#define VIGIL_VERSION "0.1.0"

#endif /* VIGIL_EXPORT_H */
