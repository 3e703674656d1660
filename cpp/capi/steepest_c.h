/* steepest's C ABI: fit a linear model with the C++ core from C, Rust, Julia, R or Fortran.
 *
 * Every function returns STEEPEST_OK (0) or an error code; steepest_last_error() then holds a
 * message for the calling thread. No C++ exception crosses this boundary. Arrays are read in place
 * (X row-major, n_rows x n_features; y one value per row) and never kept after a call returns.
 *
 *   steepest_options* options = steepest_options_create();
 *   steepest_options_set_string(options, "shuffle", "none");
 *   steepest_options_set_double(options, "learning_rate", 0.1);
 *   double coef[2], intercept;
 *   steepest_result* result = NULL;
 *   if (steepest_fit_f64(X, y, n, 2, options, coef, &intercept, &result) != STEEPEST_OK)
 *       fprintf(stderr, "%s\n", steepest_last_error());
 *   steepest_result_free(result);
 *   steepest_options_free(options);
 */
#ifndef STEEPEST_C_H
#define STEEPEST_C_H

#include <stdint.h>

#if defined(_WIN32)
#if defined(STEEPEST_C_BUILDING)
#define STEEPEST_C_API __declspec(dllexport)
#else
#define STEEPEST_C_API __declspec(dllimport)
#endif
#else
#define STEEPEST_C_API __attribute__((visibility("default")))
#endif

#ifdef __cplusplus
extern "C" {
#endif

enum steepest_status {
    STEEPEST_OK = 0,
    STEEPEST_INVALID_ARGUMENT = 1, /* a bad option name, value, shape or pointer */
    STEEPEST_DIVERGED = 2,         /* the objective became non-finite or exploded: lower learning_rate */
    STEEPEST_INTERRUPTED = 3,      /* the interrupt callback asked to stop */
    STEEPEST_INTERNAL_ERROR = 4    /* out of memory or a bug: the message says which */
};

typedef struct steepest_options steepest_options;
typedef struct steepest_result steepest_result;

/* Called about every 65,536 rows of work; return nonzero to stop the fit (STEEPEST_INTERRUPTED). */
typedef int (*steepest_interrupt_fn)(void* user_data);

/* The message of the calling thread's last error ("" if none). Valid until its next call. */
STEEPEST_C_API const char* steepest_last_error(void);
/* The library's version, "major.minor.patch". */
STEEPEST_C_API const char* steepest_version(void);

/* Options with steepest.fit's defaults (batch_size 32, learning_rate 0.01, max_epochs 1000,
   tol 1e-4, shuffle "rows", ...); NULL when out of memory. */
STEEPEST_C_API steepest_options* steepest_options_create(void);
STEEPEST_C_API void steepest_options_free(steepest_options* options);
/* Integers: batch_size (0: full batch), max_epochs, n_iter_no_change, seed, n_threads,
   fit_intercept (0/1), shuffle_block_rows. */
STEEPEST_C_API int steepest_options_set_int(steepest_options* options, const char* name, int64_t value);
/* Reals: learning_rate, l2, l1, tol (negative: never stop early), momentum, epsilon (the loss's). */
STEEPEST_C_API int steepest_options_set_double(steepest_options* options, const char* name, double value);
/* Strings: loss ("squared_error", "huber", "log_loss", "hinge", ...), method ("sgd", "momentum",
   "nesterov", "adagrad", "rmsprop", "adam", "newton"), shuffle ("rows", "blocks", "none"). */
STEEPEST_C_API int steepest_options_set_string(steepest_options* options, const char* name, const char* value);
STEEPEST_C_API int steepest_options_set_interrupt(steepest_options* options, steepest_interrupt_fn callback,
                                                  void* user_data);

/* Fits from zero weights; writes n_features coefficients and the intercept. result may be NULL;
   otherwise *result receives the record of the fit, to free with steepest_result_free. */
STEEPEST_C_API int steepest_fit_f64(const double* X, const double* y, int64_t n_rows, int64_t n_features,
                                    const steepest_options* options, double* coef, double* intercept,
                                    steepest_result** result);
STEEPEST_C_API int steepest_fit_f32(const float* X, const float* y, int64_t n_rows, int64_t n_features,
                                    const steepest_options* options, float* coef, float* intercept,
                                    steepest_result** result);

STEEPEST_C_API int64_t steepest_result_n_epochs(const steepest_result* result);
/* The objective after epoch `epoch` (0-based); NaN when out of range. */
STEEPEST_C_API double steepest_result_loss(const steepest_result* result, int64_t epoch);
/* "tol", "gtol", "max_epochs", "callback", "validation", "diverged" or "interrupted". */
STEEPEST_C_API const char* steepest_result_stop_reason(const steepest_result* result);
STEEPEST_C_API void steepest_result_free(steepest_result* result);

#ifdef __cplusplus
}
#endif

#endif /* STEEPEST_C_H */
