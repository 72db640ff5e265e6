/* tests/test_status.c - status names/messages and error records. */
#include "test.h"

static void t_status_strings(void) {
    CHECK_STR(vigil_status_str(VIGIL_OK), "success");
    CHECK_STR(vigil_status_name(VIGIL_ECORRUPT), "VIGIL_ECORRUPT");
    CHECK_STR(vigil_status_str((vigil_status)9999), "unknown status");
    for (int s = 0; s < VIGIL_STATUS_COUNT_; s++) CHECK(vigil_status_str((vigil_status)s)[0] != '\0');
}

static void t_err_clear(void) {
    vigil_err e;
    e.status = VIGIL_EIO;
    e.msg[0] = 'x';
    vigil_err_clear(&e);
    CHECK_INT(e.status, ==, VIGIL_OK);
    CHECK_INT(e.msg[0], ==, 0);
    vigil_err_clear(NULL);
}

const test_case suite_status[] = {
    {"status/strings", t_status_strings},
    {"status/err_clear", t_err_clear},
    {NULL, NULL},
};
