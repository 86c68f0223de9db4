#ifndef AURORAD_CSQLITE_SHIM_H
#define AURORAD_CSQLITE_SHIM_H
#include <sqlite3.h>

/* SQLITE_TRANSIENT is a macro casting -1 to a function pointer, which Swift cannot import: wrap the binds. */
static inline int csqlite_bind_text(sqlite3_stmt *s, int i, const char *text, int n) {
    return sqlite3_bind_text(s, i, text, n, SQLITE_TRANSIENT);
}
static inline int csqlite_bind_blob(sqlite3_stmt *s, int i, const void *blob, int n) {
    return sqlite3_bind_blob(s, i, blob, n, SQLITE_TRANSIENT);
}
#endif
