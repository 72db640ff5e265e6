/* tests/suites.h - the list of unit-test suites (X-macro over SUITE). */
SUITE(suite_status)
SUITE(suite_hex)
SUITE(suite_pdq)
SUITE(suite_decode)
SUITE(suite_hasher)
SUITE(suite_index)
SUITE(suite_store)
SUITE(suite_match)
