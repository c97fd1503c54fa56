"""Training and scoring throughput of plain-PyTorch and torch-rechub MMoE, PLE and
Shared-Bottom on Census-Income, measured as `dtrn bench train` / `dtrn bench infer`
measure dtrn, printing JSON with the same keys.

    python bench/pytorch/bench.py train --model mmoe --preset rechub
    python bench/pytorch/bench.py infer --model ple --preset large --implementation torch-rechub

Data: the UCI files in <data-root>/census-income, encoded as dtrn's built-in schema
(Sources/RecData/Datasets/Builtin/CensusIncomeSchema.swift) encodes them: income > 50K and
"Never married" as the two tasks, marital status and instance weight dropped, 32
categorical fields (id 0 missing, 1 unknown, 2… the training file's values), 7 numeric
fields standardised, log1p'd or min-max scaled with training statistics; the test file
halved (seeded) into validation and test. The encoded tensors are cached in
<cache>/pytorch/census-income.pt.

Timing as in dtrn: batches for --warmup-seconds untimed, then --repetitions runs of whole
batches lasting at least --seconds each; samples/s per run, median and extremes reported.
A training batch is gathered from a shuffled order (new order per epoch), pushed through
forward, the per-task binary cross-entropy means summed, backward and Adam
(L2 weight decay); a scoring batch is a slice of the test split through the model in
inference mode and the sigmoid. With --precision bf16 the forward pass (and so its
backward) runs under `torch.autocast("cpu", dtype=torch.bfloat16)`.
"""

import argparse
import csv
import json
import math
import os
import random
import resource
import statistics
import sys
import time

import torch
import torch.nn.functional as F

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from models import MODELS, PRESETS, PlainModel, RechubModel, multiply_adds  # noqa: E402

COLUMNS = """age class_of_worker detailed_industry_recode detailed_occupation_recode education wage_per_hour
enroll_in_edu_inst_last_wk marital_stat major_industry_code major_occupation_code race hispanic_origin sex
member_of_a_labor_union reason_for_unemployment full_or_part_time_employment_stat capital_gains capital_losses
dividends_from_stocks tax_filer_stat region_of_previous_residence state_of_previous_residence
detailed_household_and_family_stat detailed_household_summary_in_household instance_weight
migration_code_change_in_msa migration_code_change_in_reg migration_code_move_within_reg
live_in_this_house_1_year_ago migration_prev_res_in_sunbelt num_persons_worked_for_employer family_members_under_18
country_of_birth_father country_of_birth_mother country_of_birth_self citizenship own_business_or_self_employed
fill_inc_questionnaire_for_veterans_admin veterans_benefits weeks_worked_in_year year income""".split()

NUMERIC = [("age", "standardize"), ("wage_per_hour", "log1p"), ("capital_gains", "log1p"), ("capital_losses", "log1p"),
           ("dividends_from_stocks", "log1p"), ("num_persons_worked_for_employer", "standardize"),
           ("weeks_worked_in_year", "min-max")]
NUMERIC_NAMES = [name for name, _ in NUMERIC]
CATEGORICAL = [c for c in COLUMNS if c not in NUMERIC_NAMES + ["marital_stat", "instance_weight", "income"]]
TASKS = ["income_over_50k", "never_married"]
MISSING = {"?", ""}


def read_rows(path):
    with open(path, newline="") as f:
        return [dict(zip(COLUMNS, (v.strip() for v in row))) for row in csv.reader(f) if row]


def encode(rows, vocabularies, statistics_):
    categorical = torch.tensor([[vocabularies[c].get(r[c], 1) if r[c] not in MISSING else 0 for c in CATEGORICAL] for r in rows],
                               dtype=torch.int64)
    numeric = torch.tensor([[transform(r[name], kind, statistics_[name]) for name, kind in NUMERIC] for r in rows],
                           dtype=torch.float32)
    labels = torch.tensor([[float(r["income"] == "50000+."), float(r["marital_stat"] == "Never married")] for r in rows],
                          dtype=torch.float32)
    return categorical, numeric, labels


def raw_number(value, kind):
    x = float(value)
    return math.log1p(max(x, 0.0)) if kind == "log1p" else x


def transform(value, kind, stats):
    if value in MISSING:
        return 0.0 if kind == "standardize" else stats["mean"]
    x = raw_number(value, kind)
    if kind == "standardize":
        return (x - stats["mean"]) / stats["std"]
    if kind == "min-max":
        return (x - stats["min"]) / max(stats["max"] - stats["min"], 1e-12)
    return x


def load_census(data_root, cache):
    folder = os.path.join(data_root, "census-income")
    sources = [os.path.join(folder, f) for f in ("census-income.data.csv", "census-income.test.csv")]
    key = [(os.path.getsize(p), int(os.path.getmtime(p))) for p in sources]
    cached = os.path.join(cache, "pytorch", "census-income.pt")
    if os.path.exists(cached):
        data = torch.load(cached)
        if data["key"] == key:
            return data
    train_rows, test_rows = read_rows(sources[0]), read_rows(sources[1])
    vocabularies = {c: {v: i + 2 for i, v in enumerate(sorted({r[c] for r in train_rows} - MISSING))} for c in CATEGORICAL}
    stats = {}
    for name, kind in NUMERIC:
        xs = [raw_number(r[name], kind) for r in train_rows if r[name] not in MISSING]
        mean = statistics.fmean(xs)
        stats[name] = dict(mean=mean, std=statistics.pstdev(xs, mean) or 1.0, min=min(xs), max=max(xs))
    random.Random(2023).shuffle(test_rows)
    data = dict(key=key, vocabulary_sizes=[len(vocabularies[c]) + 2 for c in CATEGORICAL],
                train=encode(train_rows, vocabularies, stats), test=encode(test_rows[len(test_rows) // 2:], vocabularies, stats))
    os.makedirs(os.path.dirname(cached), exist_ok=True)
    torch.save(data, cached)
    return data


def make_model(args, data, seed):
    torch.manual_seed(seed)
    if args.implementation == "torch-rechub":
        return RechubModel(args.model, CATEGORICAL, data["vocabulary_sizes"], NUMERIC_NAMES, len(TASKS), args.preset)
    return PlainModel(args.model, data["vocabulary_sizes"], len(NUMERIC), len(TASKS), args.preset)


def task_loss(model, outputs, labels):
    """The per-task means of the binary cross-entropy, summed over tasks."""
    if isinstance(model, RechubModel):
        losses = F.binary_cross_entropy(outputs, labels, reduction="none")
    else:
        losses = F.binary_cross_entropy_with_logits(outputs, labels, reduction="none")
    return losses.mean(0).sum()


def probabilities(model, outputs):
    return outputs if isinstance(model, RechubModel) else torch.sigmoid(outputs)


class TrainingLoop:
    """Shuffled batches of the training split through forward, loss, backward and Adam."""

    def __init__(self, args, data, seed):
        self.model = make_model(args, data, seed)
        self.model.train()
        p = PRESETS[args.preset]
        self.optimizer = torch.optim.Adam(self.model.parameters(), lr=p["learning_rate"], weight_decay=p["weight_decay"])
        self.categorical, self.numeric, self.labels = data["train"]
        self.batch = args.batch_size or p["batch_size"]
        self.generator = torch.Generator().manual_seed(seed)
        self.precision = args.precision
        self.order, self.cursor = torch.randperm(len(self.labels), generator=self.generator), 0

    def batches_per_epoch(self):
        return math.ceil(len(self.labels) / self.batch)

    def step(self):
        if self.cursor >= len(self.order):
            self.order, self.cursor = torch.randperm(len(self.labels), generator=self.generator), 0
        rows = self.order[self.cursor:self.cursor + self.batch]
        self.cursor += self.batch
        with autocast(self.precision):
            outputs = self.model(self.categorical[rows], self.numeric[rows])
            loss = task_loss(self.model, outputs, self.labels[rows])
        self.optimizer.zero_grad(set_to_none=True)
        loss.backward()
        self.optimizer.step()
        return len(rows)


def autocast(precision):
    """bf16 autocast on the CPU for precision "bf16", else nothing."""
    return torch.autocast("cpu", dtype=torch.bfloat16, enabled=precision == "bf16")


def score(model, split, batch, precision):
    """Probabilities of every row of `split`, [rows, tasks]."""
    categorical, numeric, _ = split
    model.eval()
    with torch.inference_mode(), autocast(precision):
        return torch.cat([probabilities(model, model(categorical[i:i + batch], numeric[i:i + batch])).float()
                          for i in range(0, len(categorical), batch)])


def auc(scores, labels):
    """The area under the ROC curve, ties counted half (Mann-Whitney U)."""
    order = torch.argsort(scores)
    s, y = scores[order].double(), labels[order].double()
    _, inverse, counts = torch.unique_consecutive(s, return_inverse=True, return_counts=True)
    ends = counts.cumsum(0).double()
    ranks = (ends - (counts.double() - 1) / 2)[inverse]
    positives = y.sum()
    negatives = len(y) - positives
    return ((ranks * y).sum() - positives * (positives + 1) / 2).item() / (positives * negatives).item()


def measure(args, batch_fn):
    start = time.perf_counter()
    while True:
        batch_fn()
        if time.perf_counter() - start >= args.warmup_seconds:
            break
    rates = []
    for _ in range(args.repetitions):
        samples, start = 0, time.perf_counter()
        while True:
            samples += batch_fn()
            elapsed = time.perf_counter() - start
            if elapsed >= args.seconds:
                break
        rates.append(samples / elapsed)
    rates.sort()
    return dict(median=rates[len(rates) // 2], min=rates[0], max=rates[-1])


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("benchmark", choices=["train", "infer"])
    parser.add_argument("--model", choices=MODELS, default="mmoe")
    parser.add_argument("--preset", choices=sorted(PRESETS), default="rechub")
    parser.add_argument("--implementation", choices=["pytorch", "torch-rechub"], default="pytorch")
    parser.add_argument("--batch-size", type=int, help="samples per batch (default: the preset's)")
    parser.add_argument("--threads", type=int, default=os.cpu_count())
    parser.add_argument("--warmup-seconds", type=float, default=1.0)
    parser.add_argument("--repetitions", type=int, default=5)
    parser.add_argument("--seconds", type=float, default=2.0)
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--auc-epochs", type=int, help="train: also train a fresh model this many epochs and report test AUC")
    parser.add_argument("--precision", choices=["fp32", "bf16"], default="fp32",
                        help="bf16: forward (and backward) under torch.autocast with bfloat16")
    parser.add_argument("--peak-gflops-per-core", type=float, default=117.0)
    parser.add_argument("--data-root", default="../shared/data")
    parser.add_argument("--cache", default="data-cache")
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    data = load_census(args.data_root, args.cache)
    batch = args.batch_size or PRESETS[args.preset]["batch_size"]

    if args.benchmark == "train":
        loop = TrainingLoop(args, data, args.seed)
        model, rate = loop.model, measure(args, loop.step)
        flops = 6 * multiply_adds(model)
    else:
        model = make_model(args, data, args.seed)
        model.eval()
        categorical, numeric, _ = data["test"]
        rows, cursor = len(categorical), [0]

        def infer_batch():
            if cursor[0] >= rows:
                cursor[0] = 0
            i = cursor[0]
            cursor[0] += batch
            with torch.inference_mode(), autocast(args.precision):
                probabilities(model, model(categorical[i:i + batch], numeric[i:i + batch]))
            return min(batch, rows - i)

        rate = measure(args, infer_batch)
        flops = 2 * multiply_adds(model)

    peak = args.peak_gflops_per_core * args.threads
    gflops = flops * rate["median"] / 1e9
    result = dict(benchmark=args.benchmark, implementation=args.implementation, data="census-income", model=args.model,
                  preset=args.preset, precision=args.precision, batchSize=batch, threads=args.threads, repetitions=args.repetitions,
                  secondsPerRepetition=args.seconds, samplesPerSecond=rate,
                  parameters=sum(p.numel() for p in model.parameters() if p.requires_grad),
                  flopsPerSample=flops, gflops=gflops, peakGflops=peak, peakFraction=gflops / peak,
                  peakResidentMegabytes=resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024)
    if args.benchmark == "train" and args.auc_epochs:
        fresh = TrainingLoop(args, data, args.seed)
        for _ in range(args.auc_epochs * fresh.batches_per_epoch()):
            fresh.step()
        scores = score(fresh.model, data["test"], batch, args.precision)
        labels = data["test"][2]
        result["testAUC"] = {task: auc(scores[:, t], labels[:, t]) for t, task in enumerate(TASKS)}
        result["aucEpochs"] = args.auc_epochs
    print(json.dumps(result, indent=2, sort_keys=True))


if __name__ == "__main__":
    main()
