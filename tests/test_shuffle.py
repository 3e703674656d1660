"""Epoch orders: valid, uniform, and exactly the documented portable algorithm."""

import numpy as np
import pytest

from steepest import _core

MASK = (1 << 64) - 1


class PortableOrders:
    """An independent, plain-Python implementation of the orders the core documents in shuffle.hpp:
    SplitMix64 seeding, xoshiro256**, Lemire's bounded integers, Durstenfeld's shuffle, and for
    more than 4096 rows the bucket scatter (16-bit lanes, buckets of up to 4096 rows, each bucket
    shuffled by its own generator seeded from one further word and the bucket's number)."""

    def __init__(self, seed: int, epoch: int):
        mix = seed
        mix, seed_word = self._splitmix(mix)
        _, epoch_word = self._splitmix(epoch)
        self._seed_state(seed_word ^ epoch_word)

    @classmethod
    def seeded(cls, word: int) -> "PortableOrders":
        generator = cls.__new__(cls)
        generator._seed_state(word)
        return generator

    def _seed_state(self, state: int) -> None:
        self.s = []
        for _ in range(4):
            state, word = self._splitmix(state)
            self.s.append(word)

    @staticmethod
    def _splitmix(state):
        state = (state + 0x9E3779B97F4A7C15) & MASK
        z = state
        z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & MASK
        z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & MASK
        return state, z ^ (z >> 31)

    @staticmethod
    def _rotl(x, k):
        return ((x << k) | (x >> (64 - k))) & MASK

    def next(self):
        s = self.s
        result = (self._rotl((s[1] * 5) & MASK, 7) * 9) & MASK
        t = (s[1] << 17) & MASK
        s[2] ^= s[0]
        s[3] ^= s[1]
        s[1] ^= s[2]
        s[0] ^= s[3]
        s[2] ^= t
        s[3] = self._rotl(s[3], 45)
        return result

    def below(self, bound):
        assert bound <= 1 << 32
        product = (self.next() >> 32) * bound
        low = product & 0xFFFFFFFF
        if low < bound:
            threshold = (1 << 32) % bound
            while low < threshold:
                product = (self.next() >> 32) * bound
                low = product & 0xFFFFFFFF
        return product >> 32

    def shuffle(self, a, start, n):
        # Durstenfeld from the top, partners drawn in windows of 32 (the draws come in the same order).
        for top in range(n - 1, 0, -1):
            partner = self.below(top + 1)
            a[start + top], a[start + partner] = a[start + partner], a[start + top]

    def rows(self, n):
        if n <= 4096:
            order = list(range(n))
            self.shuffle(order, 0, n)
            return order
        bits = 0
        while bits < 16 and (1 << bits) * 4096 < n:
            bits += 1
        buckets = []
        for i in range(0, n, 4):
            draw = self.next()
            for lane in range(min(4, n - i)):
                buckets.append((draw >> (16 * lane)) & ((1 << bits) - 1))
        bucket_seed = self.next()
        members = [[] for _ in range(1 << bits)]
        for row, bucket in enumerate(buckets):
            members[bucket].append(row)
        order = [row for bucket in members for row in bucket]
        start = 0
        for number, bucket in enumerate(members):
            _, mixed = self._splitmix(number)
            PortableOrders.seeded(bucket_seed ^ mixed).shuffle(order, start, len(bucket))
            start += len(bucket)
        return order

    def blocks(self, n, block_rows):
        n_blocks = -(-n // block_rows)
        blocks = list(range(n_blocks))
        self.shuffle(blocks, 0, n_blocks)
        return [row for b in blocks for row in range(b * block_rows, min(n, (b + 1) * block_rows))]


@pytest.mark.parametrize("n", [1, 2, 3, 100, 4096, 4097, 10_000])
@pytest.mark.parametrize("seed, epoch", [(0, 0), (12345, 7), (2**64 - 1, 3)])
def test_row_orders_are_the_documented_portable_algorithm(n, seed, epoch):
    expected = PortableOrders(seed, epoch).rows(n)
    assert _core.epoch_order("rows", n, 1, seed, epoch).tolist() == expected


@pytest.mark.parametrize("n, block_rows", [(1, 5), (10, 3), (1000, 64), (1000, 1000), (1000, 7)])
def test_block_orders_are_the_documented_portable_algorithm(n, block_rows):
    expected = PortableOrders(99, 2).blocks(n, block_rows)
    assert _core.epoch_order("blocks", n, block_rows, 99, 2).tolist() == expected


@pytest.mark.parametrize("n", [1, 5, 4096, 4097, 70_001, 1_000_000])
def test_row_orders_are_permutations(n):
    order = _core.epoch_order("rows", n, 1, 3, 0)
    assert order.dtype == np.int64
    assert np.array_equal(np.sort(order), np.arange(n))


def test_block_orders_are_runs_of_consecutive_rows_covering_every_row():
    n, block_rows = 10_007, 100
    order = _core.epoch_order("blocks", n, block_rows, 8, 1)
    assert np.array_equal(np.sort(order), np.arange(n))
    # Every block begins with a multiple of block_rows and continues with consecutive rows.
    runs = np.split(order, np.flatnonzero(order % block_rows == 0)[1:])
    assert len(runs) == -(-n // block_rows)
    for run in runs:
        assert run[0] % block_rows == 0
        assert np.array_equal(run, np.arange(run[0], run[0] + len(run)))
        assert len(run) == (n - run[0] if run[0] + block_rows > n else block_rows)
    assert not np.array_equal(order, np.arange(n))


def test_none_is_the_natural_order():
    assert np.array_equal(_core.epoch_order("none", 17, 1, 5, 0), np.arange(17))


def test_orders_depend_on_seed_and_epoch_only():
    first = _core.epoch_order("rows", 50_000, 1, 1, 0)
    assert np.array_equal(first, _core.epoch_order("rows", 50_000, 1, 1, 0))
    assert not np.array_equal(first, _core.epoch_order("rows", 50_000, 1, 2, 0))
    assert not np.array_equal(first, _core.epoch_order("rows", 50_000, 1, 1, 1))


def test_small_permutations_are_uniform():
    # Each of the 5 rows lands in each of the 5 positions with probability 1/5.
    n, draws = 5, 20_000
    counts = np.zeros((n, n))
    for epoch in range(draws):
        counts[_core.epoch_order("rows", n, 1, 11, epoch), np.arange(n)] += 1
    expected = draws / n
    sigma = np.sqrt(draws * (1 / n) * (1 - 1 / n))
    assert np.all(np.abs(counts - expected) < 5 * sigma)


def test_large_permutations_spread_every_row_over_every_bucket():
    # Above 4096 rows the order is drawn through buckets; where row 0 and the last row land must
    # still be uniform over all positions (here: over ten equal slices of the order).
    n, draws = 40_000, 2_000
    slices = np.zeros((2, 10))
    for epoch in range(draws):
        order = _core.epoch_order("rows", n, 1, 5, epoch)
        position = np.argsort(order)[[0, n - 1]]
        slices[[0, 1], position * 10 // n] += 1
    expected, sigma = draws / 10, np.sqrt(draws * 0.1 * 0.9)
    assert np.all(np.abs(slices - expected) < 5 * sigma)


@pytest.mark.parametrize("mode", ["rows", "blocks"])
def test_orders_do_not_depend_on_the_number_of_threads(mode):
    # Above 4096 rows the threads share the scatter and the buckets' shuffles.
    n = 300_001
    one = _core.epoch_order(mode, n, 37, 11, 2, n_threads=1)
    assert np.array_equal(np.sort(one), np.arange(n))
    for threads in (2, 3, 0):
        assert np.array_equal(one, _core.epoch_order(mode, n, 37, 11, 2, n_threads=threads))


def test_epoch_order_seconds_times_each_draw_and_checks_its_arguments():
    seconds = _core.epoch_order_seconds("rows", 100_000, 1, 4, 3)
    assert len(seconds) == 3
    assert all(0.0 < s < 10.0 for s in seconds)
    with pytest.raises(ValueError, match="n_rows"):
        _core.epoch_order_seconds("rows", 0, 1, 4, 3)
    with pytest.raises(ValueError, match="epochs"):
        _core.epoch_order_seconds("rows", 10, 1, 4, 0)
    with pytest.raises(ValueError, match="shuffle"):
        _core.epoch_order_seconds("sideways", 10, 1, 4, 1)
    # `between` is read before each draw, untimed: any C-contiguous array, never changed.
    between = np.arange(50_000, dtype=np.float64).reshape(500, 100)
    assert len(_core.epoch_order_seconds("rows", 10_000, 1, 4, 2, between=between)) == 2
    np.testing.assert_array_equal(between, np.arange(50_000, dtype=np.float64).reshape(500, 100))
    with pytest.raises(ValueError, match="between must be a C-contiguous array"):
        _core.epoch_order_seconds("rows", 10, 1, 4, 1, between=between[:, ::2])
