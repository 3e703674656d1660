#pragma once

// The losses of one row, as functions of its prediction p = x . w + b and its target y.
//
// Each policy returns dℓ/dp divided by its kScale and writes ℓ to `value`; the gradient of a batch
// is kScale * sum_i dℓ_i/dp x_i / n. Squared error keeps the residual r = p - y as its derivative
// and kScale = 2, so that its arithmetic is exactly the mean squared error's of old; every other
// loss goes through AnyLoss, one switch per row (next to a d-long dot product, noise).
//
//   squared_error                (p - y)^2
//   huber                        r^2 / 2 if |r| <= eps, else eps |r| - eps^2 / 2      (r = p - y)
//   epsilon_insensitive          max(0, |r| - eps)
//   squared_epsilon_insensitive  max(0, |r| - eps)^2
//   log_loss                     log(1 + exp(-z))                                      (z = y p)
//   hinge                        max(0, 1 - z)
//   squared_hinge                max(0, 1 - z)^2
//   modified_huber               max(0, 1 - z)^2 if z >= -1, else -4 z
//   perceptron                   max(0, -z)
//
// These are scikit-learn's SGD losses, except squared_error (twice scikit-learn's, the plain mean
// squared error) and that hinge and perceptron count z = 1 and z = 0 as on their kink, as it does.

#include "types.hpp"

STEEPEST_ALGORITHMS_BEGIN

inline bool is_classification(LossKind kind) {
    return kind == LossKind::log_loss || kind == LossKind::hinge || kind == LossKind::squared_hinge ||
           kind == LossKind::modified_huber || kind == LossKind::perceptron;
}

// An upper bound on d²ℓ/dp², or 0 for losses that have none (kinks): the curvature that
// learning_rate="auto" and the divergence rule of full-batch descent rely on.
inline double curvature_bound(LossKind kind) {
    switch (kind) {
        case LossKind::squared_error: return 2.0;
        case LossKind::huber: return 1.0;
        case LossKind::squared_epsilon_insensitive: return 2.0;
        case LossKind::log_loss: return 0.25;
        case LossKind::squared_hinge: return 2.0;
        case LossKind::modified_huber: return 2.0;
        case LossKind::epsilon_insensitive:
        case LossKind::hinge:
        case LossKind::perceptron: return 0.0;
    }
    return 0.0;
}

// max_derivative clips the derivative (in units of kScale), as scikit-learn's SGD does at 1e12:
// a fit with far too large a step then grows linearly instead of overflowing.
template <class T>
struct SquaredError {
    using value_type = T;
    static constexpr T kScale = 2;
    T max_derivative = std::numeric_limits<T>::infinity();
    T operator()(T prediction, T target, T& value) const {
        const T r = prediction - target;
        value = r * r;
        return std::clamp(r, -max_derivative, max_derivative);
    }
};

// The prediction itself as the "residual": with it a gradient pass computes Hessian-vector
// products (of the squared error) instead of gradients.
template <class T>
struct Predictions {
    using value_type = T;
    static constexpr T kScale = 2;
    T operator()(T prediction, T /*target*/, T& value) const {
        value = prediction * prediction;
        return prediction;
    }
};

template <class T>
struct AnyLoss {
    using value_type = T;
    static constexpr T kScale = 1;
    LossKind kind;
    T epsilon;
    T max_derivative = std::numeric_limits<T>::infinity();

    T operator()(T p, T y, T& value) const { return std::clamp(derivative(p, y, value), -max_derivative, max_derivative); }

    // The log loss at the margin z = y p is excess + log1p(e), with e = exp(-|z|) and excess =
    // max(-z, 0): exp never overflows, whatever the margin's sign. Returns dl/dp. Apart, so that
    // loops over rows can take the log1p later (RowLosses, gradient.hpp).
    static T log_loss_parts(T z, T y, T& e, T& excess) {
        if (z > 0) {
            e = std::exp(-z);
            excess = 0;
            return -y * e / (T(1) + e);
        }
        e = std::exp(z);
        excess = -z;
        return -y / (T(1) + e);
    }

    T derivative(T p, T y, T& value) const {
        const T r = p - y, z = y * p;
        switch (kind) {
            case LossKind::squared_error:
                value = r * r;
                return T(2) * r;
            case LossKind::huber:
                if (std::abs(r) <= epsilon) {
                    value = r * r / T(2);
                    return r;
                }
                value = epsilon * std::abs(r) - epsilon * epsilon / T(2);
                return r > 0 ? epsilon : -epsilon;
            case LossKind::epsilon_insensitive:
                value = std::max(T(0), std::abs(r) - epsilon);
                return r > epsilon ? T(1) : (r < -epsilon ? T(-1) : T(0));
            case LossKind::squared_epsilon_insensitive: {
                const T excess = std::max(T(0), std::abs(r) - epsilon);
                value = excess * excess;
                return r > 0 ? T(2) * excess : T(-2) * excess;
            }
            case LossKind::log_loss: {
                T e, excess;
                const T derivative_value = log_loss_parts(z, y, e, excess);
                value = excess + std::log1p(e);
                return derivative_value;
            }
            case LossKind::hinge:
                value = std::max(T(0), T(1) - z);
                return z <= T(1) ? -y : T(0);
            case LossKind::squared_hinge: {
                const T margin = std::max(T(0), T(1) - z);
                value = margin * margin;
                return T(-2) * y * margin;
            }
            case LossKind::modified_huber:
                if (z >= T(1)) {
                    value = 0;
                    return 0;
                }
                if (z >= T(-1)) {
                    value = (T(1) - z) * (T(1) - z);
                    return T(-2) * y * (T(1) - z);
                }
                value = T(-4) * z;
                return T(-4) * y;
            case LossKind::perceptron:
                value = std::max(T(0), -z);
                return z <= T(0) ? -y : T(0);
        }
        value = 0;
        return 0;
    }
};

STEEPEST_ALGORITHMS_END
