/* A C program on steepest's C ABI: the same data and settings as fit_vector.cpp. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include "steepest_c.h"

int main(void) {
    enum { n = 200, d = 3 };
    static double X[n * d], y[n];
    for (long i = 0; i < n; ++i) {
        for (long j = 0; j < d; ++j) X[i * d + j] = sin(0.1 * (double)(i * d + j) + (double)j);
        y[i] = 1.5 * X[i * d] - 2.0 * X[i * d + 1] + 0.5 * X[i * d + 2] + 0.25 + 0.1 * sin(7.0 * (double)i);
    }
    steepest_options* options = steepest_options_create();
    if (options == NULL) return 2;
    int status = steepest_options_set_int(options, "batch_size", 16);
    status |= steepest_options_set_double(options, "learning_rate", 0.05);
    status |= steepest_options_set_int(options, "max_epochs", 20);
    status |= steepest_options_set_double(options, "tol", -1.0);
    status |= steepest_options_set_string(options, "shuffle", "none");
    status |= steepest_options_set_int(options, "n_threads", 1);
    if (status != STEEPEST_OK) {
        fprintf(stderr, "options: %s\n", steepest_last_error());
        return 1;
    }
    /* Errors are codes and messages, never crashes: */
    if (steepest_options_set_string(options, "loss", "no such loss") != STEEPEST_INVALID_ARGUMENT) return 3;

    double coef[d], intercept;
    steepest_result* result = NULL;
    if (steepest_fit_f64(X, y, n, d, options, coef, &intercept, &result) != STEEPEST_OK) {
        fprintf(stderr, "fit: %s\n", steepest_last_error());
        return 1;
    }
    printf("stop_reason %s\n", steepest_result_stop_reason(result));
    for (int j = 0; j < d; ++j) printf("%.17g\n", coef[j]);
    printf("%.17g\n", intercept);
    steepest_result_free(result);
    steepest_options_free(options);
    return 0;
}
