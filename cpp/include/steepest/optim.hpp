#pragma once

// Learning-rate schedules and update rules: how a gradient becomes a step.
//
// Shaped after ensmallen's policies, but chosen at run time: a fit's schedule and update rule
// are plain data in FitOptions, and the state a run needs (velocities, squared-gradient sums,
// the running average, the update count) lives in one Stepper created when the run starts. The
// plain constant-rate SGD step keeps a path of its own (PlainStep), so that the options cost
// the common case nothing.

#include "gradient.hpp"

STEEPEST_ALGORITHMS_BEGIN

// The schedule's rate for update number t (1-based) in epoch `epoch` (0-based), after `plateaus`
// reductions of a plateau schedule. The formulas are listed with ScheduleKind in types.hpp.
inline double scheduled_rate(const Schedule& s, index_t t, index_t epoch, index_t plateaus) {
    const double pi = 3.14159265358979323846;
    double rate = s.eta0;
    switch (s.kind) {
        case ScheduleKind::constant: break;
        case ScheduleKind::inverse_scaling: rate = s.eta0 / std::pow(static_cast<double>(t), s.power); break;
        case ScheduleKind::optimal: rate = 1.0 / (s.alpha * (s.t0 + static_cast<double>(t) - 1.0)); break;
        case ScheduleKind::step:
            rate = s.eta0 * std::pow(s.gamma, static_cast<double>(epoch / s.step_epochs));
            break;
        case ScheduleKind::exponential: rate = s.eta0 * std::pow(s.gamma, static_cast<double>(epoch)); break;
        case ScheduleKind::cosine: {
            const double progress = static_cast<double>(std::min(epoch, s.period)) / static_cast<double>(s.period);
            rate = s.eta_min + (s.eta0 - s.eta_min) * (1.0 + std::cos(pi * progress)) / 2.0;
            break;
        }
        case ScheduleKind::plateau: rate = s.eta0 * std::pow(s.factor, static_cast<double>(plateaus)); break;
    }
    if (s.warmup_steps > 0 && t < s.warmup_steps)
        rate *= static_cast<double>(t) / static_cast<double>(s.warmup_steps);
    return rate;
}

// True when the rate can change from one update to the next within an epoch.
inline bool changes_every_update(const Schedule& s) {
    return s.kind == ScheduleKind::inverse_scaling || s.kind == ScheduleKind::optimal || s.warmup_steps > 0;
}

// The objective's penalty: l2 * ||w||^2 + l1 * ||w||_1.
template <class T>
T penalty_of(const T* w, index_t d, T l2, T l1) {
    T penalty = 0;
    if (l2 > 0) penalty += l2 * detail::squared_norm(w, d);
    if (l1 > 0) {
        T sum = 0;
        for (index_t j = 0; j < d; ++j) sum += std::abs(w[j]);
        penalty += l1 * sum;
    }
    return penalty;
}

// The proximal operator of threshold * |w|: shrinks towards zero and lands exactly on it.
template <class T>
inline T soft_threshold(T value, T threshold) {
    if (value > threshold) return value - threshold;
    if (value < -threshold) return value + threshold;
    return T(0);
}

// True when a fit needs nothing but w = (1 - 2 eta l2) w - eta g, eta from its schedule.
template <class T>
bool is_plain(const FitOptions<T>& o) {
    return o.method == Method::sgd && o.l1 == 0 && o.coordinate_scale == nullptr && o.average_start < 0;
}

// The rate of each update for the plain loops, when the schedule changes it every update
// (inverse scaling, optimal, warm-up): one scheduled_rate per step, as scikit-learn computes it.
struct UpdateClock {
    const Schedule* schedule;
    index_t updates;  // taken so far
    index_t epoch;
    index_t plateaus;
    double next_rate() { return scheduled_rate(*schedule, ++updates, epoch, plateaus); }
};

namespace detail {

// The constant-rate SGD step of a mini-batch from its combined sums; adds the batch objective
// (before the step, times the batch's rows) to `total`.
template <class T>
struct PlainStep {
    T learning_rate;
    T l2;
    bool fit_intercept;
    T gradient_scale;  // the loss policy's kScale
    std::optional<UpdateClock> clock;  // set: the rate changes every update

    void operator()(const Sums<T>& sums, index_t count, T* w, T& b, double& total) {
        const index_t d = sums.n_features;
        const T penalty = l2 > 0 ? l2 * squared_norm(w, d) : T(0);
        total += static_cast<double>(sums.loss()) + static_cast<double>(count) * static_cast<double>(penalty);
        if (clock) learning_rate = static_cast<T>(clock->next_rate());
        const T decay = T(1) - T(2) * learning_rate * l2;
        const T step = gradient_scale * learning_rate / static_cast<T>(count);
        const T* g = sums.weighted_rows();
        for (index_t j = 0; j < d; ++j) w[j] = decay * w[j] - step * g[j];
        if (fit_intercept) b -= step * sums.derivative();
    }
};

}  // namespace detail

// Every update rule, schedule, penalty and average, with the state they carry from one update
// to the next. Copies are independent: each thread of a parallel epoch steps its own copy, and
// identical operations keep the copies identical.
template <class T>
class Stepper {
  public:
    Stepper(const FitOptions<T>& o, index_t n_features, T gradient_scale)
        : o_(o), d_(n_features), gradient_scale_(gradient_scale) {
        const auto size = static_cast<std::size_t>(d_ + 1);  // the intercept's state is last
        if (o.method == Method::momentum || o.method == Method::nesterov || o.method == Method::adam)
            first_.assign(size, T(0));
        if (o.method == Method::adagrad || o.method == Method::rmsprop || o.method == Method::adam)
            second_.assign(size, T(0));
        if (o.average_start >= 0) average_.assign(size, T(0));
        t_ = std::max<index_t>(0, o.initial_updates);
        rate_ = scheduled_rate(o_.schedule, t_ + 1, 0, 0);
    }

    // The rate of the next update (before per-coordinate scaling).
    double rate() const { return rate_; }
    // The rate of the last update.
    double last_rate() const { return last_rate_; }
    index_t updates() const { return t_; }
    // Counts updates taken elsewhere (by PlainStep or Newton's method).
    void count_updates(index_t count) {
        t_ += count;
        last_rate_ = rate_;
    }
    index_t plateaus() const { return plateaus_; }

    void begin_epoch(index_t epoch) {
        epoch_ = epoch;
        refresh_rate();
    }

    // A plateau schedule lowers its rate; returns false once the rate falls below min_rate.
    bool reduce_on_plateau() {
        ++plateaus_;
        refresh_rate();
        return rate_ >= o_.schedule.min_rate;
    }

    // One update from the gradient of the data term (g: n_features values, g_b), penalties not
    // included: they are added here, the L2 one to the gradient, the L1 one as a proximal step.
    void update(const T* g, T g_b, T* w, T& b) {
        const auto eta = static_cast<T>(rate_);
        last_rate_ = rate_;
        ++t_;
        // Adam's bias corrections, the same for every coordinate of this update.
        const double correction1 = o_.method == Method::adam ? 1.0 - std::pow(o_.beta1, static_cast<double>(t_)) : 1.0;
        const double correction2 = o_.method == Method::adam ? 1.0 - std::pow(o_.beta2, static_cast<double>(t_)) : 1.0;
        for (index_t j = 0; j <= d_; ++j) {
            if (j == d_ && !o_.fit_intercept) break;
            T& weight = j < d_ ? w[j] : b;
            const T gradient = j < d_ ? g[j] + T(2) * o_.l2 * weight : g_b;
            const T step = eta * (o_.coordinate_scale ? o_.coordinate_scale[j] : T(1));
            T effective_step = step;  // per unit of gradient, for the proximal step
            switch (o_.method) {
                case Method::sgd:
                case Method::newton: weight -= step * gradient; break;
                case Method::momentum:
                    first_[j] = static_cast<T>(o_.momentum) * first_[j] + gradient;
                    weight -= step * first_[j];
                    break;
                case Method::nesterov:
                    first_[j] = static_cast<T>(o_.momentum) * first_[j] + gradient;
                    weight -= step * (gradient + static_cast<T>(o_.momentum) * first_[j]);
                    break;
                case Method::adagrad:
                    second_[j] += gradient * gradient;
                    effective_step = eta / (std::sqrt(second_[j]) + static_cast<T>(o_.epsilon));
                    weight -= effective_step * gradient;
                    break;
                case Method::rmsprop: {
                    const auto rho = static_cast<T>(o_.rho);
                    second_[j] = rho * second_[j] + (T(1) - rho) * gradient * gradient;
                    effective_step = eta / (std::sqrt(second_[j]) + static_cast<T>(o_.epsilon));
                    weight -= effective_step * gradient;
                    break;
                }
                case Method::adam: {
                    const auto beta1 = static_cast<T>(o_.beta1), beta2 = static_cast<T>(o_.beta2);
                    first_[j] = beta1 * first_[j] + (T(1) - beta1) * gradient;
                    second_[j] = beta2 * second_[j] + (T(1) - beta2) * gradient * gradient;
                    const auto m_hat = static_cast<T>(first_[j] / correction1);
                    const auto s_hat = static_cast<T>(second_[j] / correction2);
                    effective_step = eta / (std::sqrt(s_hat) + static_cast<T>(o_.epsilon));
                    weight -= effective_step * m_hat;
                    break;
                }
            }
            if (o_.l1 > 0 && j < d_) weight = soft_threshold(weight, effective_step * o_.l1);
        }
        if (!average_.empty() && t_ > o_.average_start) {
            ++n_averaged_;
            const T share = T(1) / static_cast<T>(n_averaged_);
            for (index_t j = 0; j < d_; ++j) average_[j] += share * (w[j] - average_[j]);
            average_[d_] += share * (b - average_[d_]);
        }
        if (changes_every_update(o_.schedule)) refresh_rate();
    }

    // A mini-batch step from its combined sums, as PlainStep.
    void operator()(const detail::Sums<T>& sums, index_t count, T* w, T& b, double& total) {
        const index_t d = sums.n_features;
        total += static_cast<double>(sums.loss()) +
                 static_cast<double>(count) * static_cast<double>(penalty_of(w, d, o_.l2, o_.l1));
        const T scale = gradient_scale_ / static_cast<T>(count);
        gradient_.resize(static_cast<std::size_t>(d));
        for (index_t j = 0; j < d; ++j) gradient_[j] = scale * sums.weighted_rows()[j];
        update(gradient_.data(), scale * sums.derivative(), w, b);
    }

    // With averaging: replaces (w, b) by the average, once some update has been averaged.
    void use_average(T* w, T& b) const {
        if (n_averaged_ == 0) return;
        std::copy(average_.begin(), average_.begin() + d_, w);
        if (o_.fit_intercept) b = average_[d_];
    }

  private:
    void refresh_rate() { rate_ = scheduled_rate(o_.schedule, t_ + 1, epoch_, plateaus_); }

    FitOptions<T> o_;
    index_t d_;
    T gradient_scale_;
    index_t t_ = 0;  // updates taken
    index_t epoch_ = 0;
    index_t plateaus_ = 0;
    index_t n_averaged_ = 0;
    double rate_ = 0;
    double last_rate_ = 0;
    std::vector<T> first_;     // momentum: velocity; adam: mean of g
    std::vector<T> second_;    // adagrad: sum of g^2; rmsprop, adam: mean of g^2
    std::vector<T> average_;   // averaged SGD
    std::vector<T> gradient_;  // scratch for operator()
};

STEEPEST_ALGORITHMS_END
