// The C ABI over the header-only core: exceptions become status codes and a per-thread message.
#include "steepest_c.h"

#include <steepest/steepest.hpp>

#include <cstring>
#include <exception>
#include <new>
#include <string>

struct steepest_options {
    steepest::FitOptions<double> values;  // reals are converted for float fits
    steepest_interrupt_fn interrupt = nullptr;
    void* interrupt_data = nullptr;
};

struct steepest_result {
    steepest::FitReport report;
};

namespace {

thread_local std::string last_error;

int fail(int status, const std::string& message) {
    last_error = message;
    return status;
}

template <class Body>
int guarded(Body body) {
    try {
        last_error.clear();
        return body();
    } catch (const std::invalid_argument& err) {
        return fail(STEEPEST_INVALID_ARGUMENT, err.what());
    } catch (const std::domain_error& err) {
        return fail(STEEPEST_INVALID_ARGUMENT, err.what());
    } catch (const std::bad_alloc&) {
        return fail(STEEPEST_INTERNAL_ERROR, "out of memory");
    } catch (const std::exception& err) {
        return fail(STEEPEST_INTERNAL_ERROR, err.what());
    } catch (...) {
        return fail(STEEPEST_INTERNAL_ERROR, "unknown error");
    }
}

template <class T>
int fit(const T* X, const T* y, int64_t n_rows, int64_t n_features, const steepest_options* options, T* coef,
        T* intercept, steepest_result** result) {
    return guarded([&] {
        if (X == nullptr || y == nullptr || options == nullptr || coef == nullptr || intercept == nullptr)
            return fail(STEEPEST_INVALID_ARGUMENT, "X, y, options, coef and intercept must not be NULL");
        if (n_rows <= 0 || n_features <= 0) return fail(STEEPEST_INVALID_ARGUMENT, "n_rows and n_features must be positive");
        const auto& o = options->values;
        steepest::FitOptions<T> typed;
        typed.loss = o.loss;
        typed.loss_epsilon = o.loss_epsilon;
        typed.batch_size = o.batch_size;
        typed.learning_rate = static_cast<T>(o.learning_rate);
        typed.l2 = static_cast<T>(o.l2);
        typed.l1 = static_cast<T>(o.l1);
        typed.method = o.method;
        typed.momentum = o.momentum;
        typed.fit_intercept = o.fit_intercept;
        typed.max_epochs = o.max_epochs;
        typed.tol = o.tol;
        typed.n_iter_no_change = o.n_iter_no_change;
        typed.shuffle = o.shuffle;
        typed.shuffle_block_rows = o.shuffle_block_rows;
        typed.seed = o.seed;
        typed.n_threads = o.n_threads;
        const std::function<bool()> poll = [options] {
            return options->interrupt != nullptr && options->interrupt(options->interrupt_data) != 0;
        };
        typed.interrupt = &poll;
        const steepest::Problem<T> problem{X, y, n_rows, n_features};
        std::fill(coef, coef + n_features, T(0));
        *intercept = T(0);
        steepest::FitReport report = steepest::fit(problem, typed, coef, *intercept);
        const auto reason = report.stop_reason;
        if (result != nullptr) *result = new steepest_result{std::move(report)};
        if (reason == steepest::StopReason::diverged)
            return fail(STEEPEST_DIVERGED, "the fit diverged: the objective became non-finite or exploded; "
                                           "use a smaller learning_rate or standardise the features");
        if (reason == steepest::StopReason::interrupted) return fail(STEEPEST_INTERRUPTED, "interrupted");
        return int{STEEPEST_OK};
    });
}

}  // namespace

extern "C" {

const char* steepest_last_error(void) { return last_error.c_str(); }

const char* steepest_version(void) { return STEEPEST_VERSION_STRING; }

steepest_options* steepest_options_create(void) {
    auto* options = new (std::nothrow) steepest_options;
    if (options != nullptr) options->values.shuffle_block_rows = 64;
    return options;
}

void steepest_options_free(steepest_options* options) { delete options; }

int steepest_options_set_int(steepest_options* options, const char* name, int64_t value) {
    return guarded([&] {
        if (options == nullptr || name == nullptr) return fail(STEEPEST_INVALID_ARGUMENT, "NULL options or name");
        auto& o = options->values;
        const std::string key = name;
        if (key == "batch_size") o.batch_size = value;
        else if (key == "max_epochs") o.max_epochs = value;
        else if (key == "n_iter_no_change") o.n_iter_no_change = value;
        else if (key == "seed") o.seed = static_cast<std::uint64_t>(value);
        else if (key == "n_threads") o.n_threads = static_cast<int>(value);
        else if (key == "fit_intercept") o.fit_intercept = value != 0;
        else if (key == "shuffle_block_rows") o.shuffle_block_rows = value;
        else return fail(STEEPEST_INVALID_ARGUMENT, "unknown integer option '" + key + "'");
        return int{STEEPEST_OK};
    });
}

int steepest_options_set_double(steepest_options* options, const char* name, double value) {
    return guarded([&] {
        if (options == nullptr || name == nullptr) return fail(STEEPEST_INVALID_ARGUMENT, "NULL options or name");
        auto& o = options->values;
        const std::string key = name;
        if (key == "learning_rate") o.learning_rate = value;
        else if (key == "l2") o.l2 = value;
        else if (key == "l1") o.l1 = value;
        else if (key == "tol") o.tol = value;
        else if (key == "momentum") o.momentum = value;
        else if (key == "epsilon") o.loss_epsilon = value;
        else return fail(STEEPEST_INVALID_ARGUMENT, "unknown real option '" + key + "'");
        return int{STEEPEST_OK};
    });
}

int steepest_options_set_string(steepest_options* options, const char* name, const char* value) {
    return guarded([&] {
        if (options == nullptr || name == nullptr || value == nullptr)
            return fail(STEEPEST_INVALID_ARGUMENT, "NULL options, name or value");
        auto& o = options->values;
        const std::string key = name, text = value;
        const auto loss = steepest::loss_from_name(text);
        const auto method = steepest::method_from_name(text);
        const auto shuffle = steepest::shuffle_from_name(text);
        if (key == "loss" && loss) o.loss = *loss;
        else if (key == "method" && method) o.method = *method;
        else if (key == "shuffle" && shuffle) o.shuffle = *shuffle;
        else return fail(STEEPEST_INVALID_ARGUMENT, "unknown option '" + key + "' or value '" + text + "'");
        return int{STEEPEST_OK};
    });
}

int steepest_options_set_interrupt(steepest_options* options, steepest_interrupt_fn callback, void* user_data) {
    if (options == nullptr) return fail(STEEPEST_INVALID_ARGUMENT, "NULL options");
    options->interrupt = callback;
    options->interrupt_data = user_data;
    return STEEPEST_OK;
}

int steepest_fit_f64(const double* X, const double* y, int64_t n_rows, int64_t n_features,
                     const steepest_options* options, double* coef, double* intercept, steepest_result** result) {
    return fit(X, y, n_rows, n_features, options, coef, intercept, result);
}

int steepest_fit_f32(const float* X, const float* y, int64_t n_rows, int64_t n_features,
                     const steepest_options* options, float* coef, float* intercept, steepest_result** result) {
    return fit(X, y, n_rows, n_features, options, coef, intercept, result);
}

int64_t steepest_result_n_epochs(const steepest_result* result) {
    return result == nullptr ? 0 : static_cast<int64_t>(result->report.loss_history.size());
}

double steepest_result_loss(const steepest_result* result, int64_t epoch) {
    if (result == nullptr || epoch < 0 || epoch >= static_cast<int64_t>(result->report.loss_history.size()))
        return std::numeric_limits<double>::quiet_NaN();
    return result->report.loss_history[static_cast<std::size_t>(epoch)];
}

const char* steepest_result_stop_reason(const steepest_result* result) {
    return result == nullptr ? "" : steepest::to_string(result->report.stop_reason);
}

void steepest_result_free(steepest_result* result) { delete result; }

}  // extern "C"
