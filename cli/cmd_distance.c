/*
 * cli/cmd_distance.c - `vigil distance HASH HASH...`: Hamming distance from
 * the first PDQ hash to each of the others.
 */
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "vigil/hash.h"

int cmd_distance(int argc, char **argv) {
    static const cli_opt opts[] = {CLI_O_END};
    cli_args a;
    int c;
    cli_args_init(&a, "distance", opts, 0, argc, argv);
    while ((c = cli_args_next(&a)) != CLI_END) {
        if (c != CLI_HELP) return CLI_EXIT_USAGE;
        printf("usage: vigil distance HASH HASH...\n"
               "\n"
               "Prints, for each HASH after the first, one line DISTANCE,HASH: the number of\n"
               "bits (0-256) in which it differs from the first PDQ hash (64 hex digits).\n"
               "A distance of 31 or less is the usual threshold for a match.\n"
               "Exit status: 0 done, 2 a hash is malformed.\n");
        return CLI_EXIT_OK;
    }
    argc = a.argc + 1; /* argv[1..argc): the hashes, as before */
    argv = a.argv - 1;
    if (argc < 3) {
        cli_errorf("distance: needs at least two hashes (see `vigil distance --help`)");
        return CLI_EXIT_USAGE;
    }
    vigil_pdq ref, h;
    vigil_err err;
    vigil_err_clear(&err);
    if (vigil_pdq_from_hex(argv[1], &ref, &err) != VIGIL_OK) {
        cli_errorf("distance: argument 1: %s", err.msg);
        return CLI_EXIT_USAGE;
    }
    for (int i = 2; i < argc; i++) {
        if (vigil_pdq_from_hex(argv[i], &h, &err) != VIGIL_OK) {
            cli_errorf("distance: argument %d: %s", i, err.msg);
            return CLI_EXIT_USAGE;
        }
    }
    for (int i = 2; i < argc; i++) {
        vigil_pdq_from_hex(argv[i], &h, NULL);
        printf("%d,%s\n", vigil_pdq_distance(&ref, &h), argv[i]);
    }
    return CLI_EXIT_OK;
}
