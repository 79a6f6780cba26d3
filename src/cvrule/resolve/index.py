"""Blocking: find the few targets worth scoring for a query without comparing it with all of them.

Every name of every target is cut into blocking keys: its tokens, the phonetic skeletons of its
longer tokens ("~rstk"), the first and last four letters of its tokens of five letters or more
("#tern", "#.tgas": spelling variants such as Terneftgas / Terneftegaz share one), its whole compact form
("=quectelwirelesssolutions") and, for Chinese, its two-syllable pinyin windows ("yiyuan"), which
meet the words of a romanized name. Postings
are kept as one sorted int32 array per key (compressed rows), so a million names fit in a few
tens of megabytes.

A query looks up its keys, keeps those shared by at most `block_max_df` names (rare keys say
the most; the compact key is always kept), and ranks the names found by a weighted Dice of shared
keys (IDF weights). The best `candidates` targets go on to full scoring. Identifiers are looked
up exactly and always become candidates.
"""

from __future__ import annotations

import math
from array import array
from collections.abc import Sequence

import numpy as np
import pyarrow as pa

from cvrule.resolve.identifiers import STRONG_SCHEMES
from cvrule.resolve.model import Query, Target
from cvrule.resolve.names import NameForm, forms_of, skeleton

__all__ = ["TargetIndex", "blocking_keys", "target_forms"]

KIND_WEIGHT = {"#": 0.2, "~": 0.5}
"""Weights of the redundant keys (4-grams, skeletons) relative to whole tokens, in the pre-score."""

POSTINGS_BUDGET = 6000
"""Keys are taken rarest first until their postings add up to this (the rarest is always taken)."""

PRESCORE_RATIO = 0.5
"""Names whose blocking pre-score is under this share of the best one's are not scored."""

RARE_SHARE = 0.75
"""A word whose weight reaches this share of the largest weight (a word no name has) is rare among
the names: held by at most about 15 of 63,000 names, 30 of a million (`rare_weight`)."""

VERY_RARE_SHARE = 0.9
"""A word whose weight reaches this share of the largest weight is very rare among the names: held
by at most about 2 of 63,000 names, 3 of a million (`very_rare_weight`; algorithms.LogicV3). Among
fewer than about 1,000 names no word is: a word of a single name of a few hundred says little."""

GRAMS_PER_NAME = 6
"""Character 4-gram keys (of tokens of 5+ letters) a query uses: the rarest ones."""


def blocking_keys(form: NameForm) -> list[str]:
    keys = dict.fromkeys(form.tokens)
    for token in form.tokens:
        if len(token) >= 4 and not token.isdigit():
            keys["~" + skeleton(token)] = None
        if len(token) >= 5:
            keys["#" + token[:4]] = None
            keys["#." + token[-4:]] = None
    if form.compact:
        keys["=" + form.compact] = None
    for key in form.han_keys:
        keys[key] = None
    return list(keys)


def rare_weight(names: int) -> float:
    """The weight from which a word is rare among this many names (RARE_SHARE of the largest
    weight, and never more than the weight of a word of a single name)."""
    return min(RARE_SHARE * math.log1p(names), math.log1p(names / 2.0))


def very_rare_weight(names: int) -> float:
    """The weight from which a word is very rare among this many names (VERY_RARE_SHARE of the
    largest weight; more than the weight of a word of a single name below about 1,000 names)."""
    return VERY_RARE_SHARE * math.log1p(names)


def target_forms(names: Sequence[str]) -> tuple[NameForm, ...]:
    """The forms of a target's (or a query's) names: every whole name first, then their parts (names.forms_of),
    one form per normalized name and legal form."""
    forms: dict[tuple, NameForm] = {}
    analyzed = [forms_of(name) for name in names if name]
    for found in analyzed:
        forms.setdefault((found[0].compact, found[0].legal_forms), found[0])
    for found in analyzed:
        for form in found[1:]:
            forms.setdefault((form.compact, form.legal_forms), form)
    return tuple(forms.values())


class TargetIndex:
    """Targets, their analyzed names and the blocking index over them."""

    def __init__(self, targets: Sequence[Target], block_max_df: int = 5000):
        self.targets = list(targets)
        self.block_max_df = block_max_df
        self.forms: list[tuple[NameForm, ...]] = []
        keys_seen: list[str] = []
        row_ids = array("i")
        row_target = array("i")
        self.by_identifier: dict[tuple[str, str], list[int]] = {}
        row = 0
        parts: list[tuple[int, NameForm]] = []
        for index, target in enumerate(self.targets):
            forms = target_forms(target.names)
            self.forms.append(tuple(form for form in forms if not form.part))
            parts.extend((index, form) for form in forms if form.part)
            for form in self.forms[-1]:
                keys = blocking_keys(form)
                keys_seen.extend(keys)
                row_ids.extend([row] * len(keys))
                row_target.append(index)
                row += 1
            for scheme, values in target.identifiers.values.items():
                if scheme in STRONG_SCHEMES or scheme == "domain":
                    for value in values:
                        self.by_identifier.setdefault((scheme, value), []).append(index)
        whole = row
        for index, form in self._rare_parts(parts, keys_seen, whole):
            self.forms[index] += (form,)
            keys = blocking_keys(form)
            keys_seen.extend(keys)
            row_ids.extend([row] * len(keys))
            row_target.append(index)
            row += 1
        encoded = pa.array(keys_seen, pa.string()).dictionary_encode()
        del keys_seen
        vocab = {key: key_id for key_id, key in enumerate(encoded.dictionary.to_pylist())}
        key_ids = encoded.indices.to_numpy(zero_copy_only=False).astype(np.int32, copy=False)
        del encoded
        self.vocab = vocab
        self.rows = row
        keys = key_ids if len(key_ids) else np.zeros(0, np.int32)
        rows = np.frombuffer(row_ids, dtype=np.int32) if len(row_ids) else np.zeros(0, np.int32)
        order = np.argsort(keys, kind="stable")
        self.postings = rows[order]
        counts = np.bincount(keys, minlength=len(vocab)) if len(vocab) else np.zeros(0, np.int64)
        self.offsets = np.zeros(len(vocab) + 1, dtype=np.int64)
        np.cumsum(counts, out=self.offsets[1:])
        self.row_target = np.frombuffer(row_target, dtype=np.int32) if len(row_target) else np.zeros(0, np.int32)
        # Weights count whole names only (rows before `whole`): parts repeat the words of their name.
        total = max(whole, 1)
        in_whole = np.bincount(keys[rows < whole], minlength=len(vocab)) if len(vocab) else np.zeros(0, np.int64)
        self.key_weight = np.log1p(total / (in_whole.astype(np.float64) + 1.0)) if len(vocab) else np.zeros(0)
        if len(vocab):
            kind = np.ones(len(vocab))
            for key, key_id in vocab.items():
                if key[0] in KIND_WEIGHT:
                    kind[key_id] = KIND_WEIGHT[key[0]]
            self.key_weight *= kind
        self.max_weight = math.log1p(total)
        self.rare_weight = rare_weight(total)
        """Words weighing this much are rare among the names (a word of a single name always is)."""
        self.very_rare_weight = very_rare_weight(total)
        """Words weighing this much are very rare among the names (none among fewer than about 1,000)."""
        self.row_weight = np.bincount(rows, weights=self.key_weight[keys], minlength=self.rows) if self.rows else np.zeros(0)
        self._weights: dict[str, float] = {}
        self._frequency: list[int] = np.diff(self.offsets).tolist()
        self._key_weight: list[float] = self.key_weight.tolist()

    @staticmethod
    def _rare_parts(parts: list[tuple[int, NameForm]], keys_seen: list[str], whole: int):
        """The parts of names worth a row: those with a word rare among the whole names (the
        others are never compared, see algorithms.LogicV2), counted in the keys of the whole rows."""
        if not parts:
            return []
        wanted = {token for _, form in parts for token in form.tokens}
        counts: dict[str, int] = dict.fromkeys(wanted, 0)
        for key in keys_seen:
            if key in counts:
                counts[key] += 1
        total, rare = max(whole, 1), rare_weight(max(whole, 1))
        return [(index, form) for index, form in parts
                if any(math.log1p(total / (counts[token] + 1.0)) >= rare for token in form.tokens)]

    def __len__(self) -> int:
        return len(self.targets)

    def weight(self, token: str) -> float:
        """IDF weight of a token among all names (unknown tokens weigh the most)."""
        found = self._weights.get(token)
        if found is None:
            key_id = self.vocab.get(token)
            found = self.max_weight if key_id is None else self._key_weight[key_id]
            if len(self._weights) < 1_000_000:
                self._weights[token] = found
        return found

    def identifier_hits(self, query: Query) -> list[int]:
        hits: list[int] = []
        for scheme, values in query.identifiers.values.items():
            for value in values:
                hits.extend(self.by_identifier.get((scheme, value), ()))
        return list(dict.fromkeys(hits))

    def candidates(self, forms: Sequence[NameForm], limit: int) -> list[int]:
        """Target indexes worth scoring for these query names, best first.

        Per query name: the names sharing its chosen keys, ranked by weighted Dice of shared keys;
        those within PRESCORE_RATIO of the best are kept, at most `limit`.
        """
        if not self.rows:
            return []
        wanted: dict[int, None] = {}
        vocab, offsets, key_weight = self.vocab, self.offsets, self.key_weight
        frequencies, weights_of = self._frequency, self._key_weight
        for form in forms:
            query_weight = 0.0
            plain: list[tuple[int, int]] = []
            grams: list[tuple[int, int]] = []
            for key in blocking_keys(form):
                key_id = vocab.get(key)
                if key_id is None:
                    query_weight += self.max_weight * KIND_WEIGHT.get(key[0], 1.0)
                    continue
                query_weight += weights_of[key_id]
                frequency = frequencies[key_id]
                if key[0] == "=":
                    plain.append((frequency, key_id))  # always: it finds the same name however common
                elif frequency > self.block_max_df:
                    continue
                elif key[0] == "#":
                    grams.append((frequency, key_id))
                else:
                    plain.append((frequency, key_id))
            grams.sort()
            ranked = sorted(plain + grams[:GRAMS_PER_NAME])
            chosen, postings = [], 0
            for frequency, key_id in ranked:
                if chosen and postings + frequency > POSTINGS_BUDGET:
                    break
                chosen.append(key_id)
                postings += frequency
            if not chosen:
                continue
            if len(chosen) == 1:
                key_id = chosen[0]
                found = self.postings[offsets[key_id]:offsets[key_id + 1]]
                shared = np.full(len(found), weights_of[key_id])
            else:
                slices = [self.postings[offsets[k]:offsets[k + 1]] for k in chosen]
                joined = np.concatenate(slices)
                weights = np.repeat(key_weight[chosen], [len(x) for x in slices])
                found, inverse = np.unique(joined, return_inverse=True)
                shared = np.bincount(inverse, weights=weights)
            score = 2.0 * shared / (query_weight + self.row_weight[found])
            take = min(len(found), limit * 2)
            best = np.argpartition(-score, take - 1)[:take] if take < len(found) else np.arange(len(found))
            best = best[np.lexsort((found[best], -score[best]))]
            floor = score[best[0]] * PRESCORE_RATIO
            kept = 0
            for position, target in zip(best.tolist(), self.row_target[found[best]].tolist()):
                if score[position] < floor or kept >= limit:
                    break
                if target not in wanted:
                    wanted[target] = None
                    kept += 1
        return list(wanted)

    def containing(self, tokens: Sequence[str], limit: int = 20) -> list[int]:
        """Targets with a name holding every one of these tokens (at most `limit`)."""
        ids = [self.vocab.get(t) for t in dict.fromkeys(tokens)]
        if not ids or any(i is None for i in ids):
            return []
        ids.sort(key=self._frequency.__getitem__)
        rows = self.postings[self.offsets[ids[0]]:self.offsets[ids[0] + 1]]
        for key_id in ids[1:]:
            if not len(rows):
                break
            rows = np.intersect1d(rows, self.postings[self.offsets[key_id]:self.offsets[key_id + 1]], assume_unique=True)
        return list(dict.fromkeys(self.row_target[rows[: limit * 4]].tolist()))[:limit]
