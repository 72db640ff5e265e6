/* tests/suites.h - the list of unit-test suites (X-macro over SUITE). */
SUITE(suite_status)


SUITE(suite_decode)

