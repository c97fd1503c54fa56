"""DTRN in plain PyTorch, built as dtrn builds it (Sources/Models/DTRN, ../shared/docs/DTRN.md),
for the speed comparison in dtrn_bench.py.

- Inputs: one d-wide table per categorical field (stored as one table with row offsets, so the
  lookup is one gather), every numeric field x as x * w_f; each behaviour sequence looks its
  items up in the table of the field it shares its vocabulary with (the item field, also the
  candidate whose embedding is the attention target). Sequences are right-aligned in L slots,
  padding (id 0) first, as dtrn's batches hold them.
- TIM: one post-norm Transformer block shared by every (task, behaviour) pair. Position
  embeddings are added, the fused d -> 3d projection and the heads' scaled dot-product
  attention run with a key-padding mask, then `R = H + MHA(H)`, which does not depend on the
  pair, once per behaviour. The hypernetwork `[z_t; c_b] -> MLP -> 4d` gives every pair's
  `gamma = 1 + W h`, `beta = W h` of the two conditional layer norms; for all tasks at once,
  `H' = CLN1(R)`, `H'' = CLN2(H' + FFN(H'))`, and target attention of the candidate item over
  the real positions gives the interest `u_tb`.
- TRM: per task a SENet gate over the F + B fields `[e_1 ... e_F, u_t1 ... u_tB]`: the mean
  over d, Linear(F+B -> (F+B)/r) -> ReLU -> Linear -> sigmoid, every field scaled by its weight.
- Backbone on the per-task representations `x_t`: `towers` (each task a whole single-task DNN
  of ModelConfig's bottomHidden + towerHidden widths, then one logit) or `mmoe` (expertCount
  shared experts of expertHidden widths on every x_t, a softmax gate per task on x_t, towers of
  towerHidden widths). Hidden layers are Linear -> ReLU (dtrn's default: no batch norm, no
  dropout). Per-task layers of equal shape are stacked and run as one batched product.

What differs from dtrn: the encoder runs over all L slots with a key mask (dtrn packs the real
positions and runs the projections, attention and pooling on them alone); Adam updates every
embedding row (dtrn's tables get lazy row-sparse updates); dtrn computes the first layer over
gathered embeddings from per-value projections. Initial weights follow dtrn's `standard` rules
(He-uniform before a ReLU, Xavier-uniform otherwise, tables N(0, 0.01^2)) but are not the same
numbers.
"""

import math

import torch
import torch.nn.functional as F
from torch import nn

# ModelConfig's defaults (Sources/Models/Zoo/ModelConfig.swift) that DTRN reads.
DEFAULTS = dict(embedding=16, bottom_hidden=[128, 64], expert_hidden=[128, 64], expert_count=4, tower_hidden=[64],
                heads=2, feed_forward_hidden=32, condition_dimension=8, hypernetwork_hidden=[32], gate_reduction=2)

BACKBONES = ["towers", "mmoe"]


def he_uniform(tensor, fan_in):
    """U(-b, b) with b = sqrt(6 / fan_in), dtrn's `heUniform`."""
    bound = math.sqrt(6.0 / fan_in)
    return nn.init.uniform_(tensor, -bound, bound)


def xavier_uniform(tensor, fan_in, fan_out):
    """U(-b, b) with b = sqrt(6 / (fan_in + fan_out)), dtrn's `xavierUniform`."""
    bound = math.sqrt(6.0 / (fan_in + fan_out))
    return nn.init.uniform_(tensor, -bound, bound)


def linear(inputs, outputs, relu):
    """nn.Linear initialised as dtrn initialises a layer followed by a ReLU (`relu`) or not."""
    layer = nn.Linear(inputs, outputs)
    if relu:
        he_uniform(layer.weight, inputs)
    else:
        xavier_uniform(layer.weight, inputs, outputs)
    nn.init.zeros_(layer.bias)
    return layer


class StackedLinear(nn.Module):
    """G layers of equal shape applied to G inputs at once: [G, N, inputs] -> [G, N, outputs]."""

    def __init__(self, groups, inputs, outputs, relu):
        super().__init__()
        self.weight = nn.Parameter(torch.empty(groups, inputs, outputs))
        self.bias = nn.Parameter(torch.zeros(groups, 1, outputs))
        for g in range(groups):
            if relu:
                he_uniform(self.weight.data[g], inputs)
            else:
                xavier_uniform(self.weight.data[g], inputs, outputs)
        self.relu = relu

    def forward(self, x):
        h = torch.baddbmm(self.bias, x, self.weight)
        return torch.relu(h) if self.relu else h


class StackedMLP(nn.Module):
    """G MLPs of the same widths, hidden layers Linear -> ReLU, the last a linear read-out."""

    def __init__(self, groups, inputs, widths):
        super().__init__()
        sizes = [inputs] + widths
        self.layers = nn.ModuleList(StackedLinear(groups, a, b, relu=i < len(widths) - 1)
                                    for i, (a, b) in enumerate(zip(sizes, sizes[1:])))

    def forward(self, x):
        for layer in self.layers:
            x = layer(x)
        return x


class Towers(nn.Module):
    """One tower per task on that task's input: [T, N, inputs] -> [T, N, 1]."""

    def __init__(self, tasks, inputs, p):
        super().__init__()
        self.towers = StackedMLP(tasks, inputs, p["bottom_hidden"] + p["tower_hidden"] + [1])

    def forward(self, x):
        return self.towers(x)


class MMoE(nn.Module):
    """Shared experts on every task's input, a softmax gate per task on it, then towers."""

    def __init__(self, tasks, inputs, p):
        super().__init__()
        self.k, hidden = p["expert_count"], p["expert_hidden"]
        self.first = linear(inputs, self.k * hidden[0], relu=True)
        self.deeper = nn.ModuleList(StackedLinear(self.k, a, b, relu=True) for a, b in zip(hidden, hidden[1:]))
        self.gates = StackedLinear(tasks, inputs, self.k, relu=False)
        self.towers = StackedMLP(tasks, hidden[-1], p["tower_hidden"] + [1])

    def forward(self, x):
        t, n, _ = x.shape
        h = torch.relu(self.first(x.reshape(t * n, -1))).reshape(t * n, self.k, -1).transpose(0, 1)
        for layer in self.deeper:
            h = layer(h)
        experts = h.reshape(self.k, t, n, -1)
        weights = torch.softmax(self.gates(x), dim=2)
        mixed = torch.einsum("tnk,ktnd->tnd", weights, experts)
        return self.towers(mixed)


class InterestModule(nn.Module):
    """TIM: the interests u_tb, [N, B, T, d], of every task and behaviour sequence."""

    def __init__(self, tasks, behaviours, length, p):
        super().__init__()
        d, dz = p["embedding"], p["condition_dimension"]
        self.tasks, self.heads, self.d = tasks, p["heads"], d
        self.positions = nn.Parameter(torch.randn(length, d) * 0.01)
        self.projection = linear(d, 3 * d, relu=False)
        self.output = linear(d, d, relu=False)
        self.feed_forward = nn.Sequential(linear(d, p["feed_forward_hidden"], relu=True), nn.ReLU(),
                                          linear(p["feed_forward_hidden"], d, relu=False))
        self.task_embeddings = nn.Parameter(torch.randn(tasks, dz) * 0.1)
        self.behaviour_embeddings = nn.Parameter(torch.randn(behaviours, dz) * 0.1)
        sizes = [2 * dz] + p["hypernetwork_hidden"]
        body = []
        for a, b in zip(sizes, sizes[1:]):
            body += [linear(a, b, relu=True), nn.ReLU()]
        self.hypernetwork = nn.Sequential(*body)
        self.condition_head = nn.Linear(sizes[-1], 4 * d)
        nn.init.normal_(self.condition_head.weight, std=1e-3)
        nn.init.zeros_(self.condition_head.bias)

    def norms(self):
        """gamma1, beta1, gamma2, beta2 of every (behaviour, task) pair, each [B, T, d]."""
        b, t = self.behaviour_embeddings.shape[0], self.tasks
        pairs = torch.cat([self.task_embeddings.unsqueeze(0).expand(b, t, -1),
                           self.behaviour_embeddings.unsqueeze(1).expand(b, t, -1)], dim=2)
        g1, b1, g2, b2 = self.condition_head(self.hypernetwork(pairs)).split(self.d, dim=2)
        return g1 + 1, b1, g2 + 1, b2

    def forward(self, sequences, mask, target):
        """sequences [N, B, L, d], mask [N, B, L] (True real), target [N, d]."""
        n, b, length, d = sequences.shape
        h = (sequences + self.positions[:length]).reshape(n * b, length, d)
        keys = mask.reshape(n * b, length)
        # A sequence without a real position attends everywhere (its interest is zeroed below).
        keys = keys | ~keys.any(dim=1, keepdim=True)
        q, k, v = self.projection(h).reshape(n * b, length, 3, self.heads, d // self.heads).permute(2, 0, 3, 1, 4)
        attended = F.scaled_dot_product_attention(q, k, v, attn_mask=keys[:, None, None, :])
        residual = h + self.output(attended.transpose(1, 2).reshape(n * b, length, d))
        # [N, B, 1, L, d] against the pairs' norms [1, B, T, 1, d]: every task at once.
        normalized = F.layer_norm(residual, (d,)).reshape(n, b, 1, length, d)
        g1, b1, g2, b2 = (x[None, :, :, None, :] for x in self.norms())
        h1 = normalized * g1 + b1
        encoded = F.layer_norm(h1 + self.feed_forward(h1), (d,)) * g2 + b2
        scores = torch.einsum("nbtld,nd->nbtl", encoded, target) / math.sqrt(d)
        weights = torch.softmax(scores.masked_fill(~mask[:, :, None, :], float("-inf")), dim=3)
        weights = torch.nan_to_num(weights, nan=0.0) if not bool(mask.any(dim=2).all()) else weights
        return torch.einsum("nbtl,nbtld->nbtd", weights, encoded)


class RefinementModule(nn.Module):
    """TRM: each task's field gate over [fields; its interests], giving x_t flattened, [T, N, (F+B) d]."""

    def __init__(self, tasks, fields, reduction):
        super().__init__()
        bottleneck = max(1, fields // max(1, reduction))
        self.reduce = StackedLinear(tasks, fields, bottleneck, relu=True)
        self.expand = StackedLinear(tasks, bottleneck, fields, relu=False)

    def forward(self, fields, interests):
        """fields [N, F, d], interests [N, B, T, d]."""
        n, _, d = fields.shape
        t = interests.shape[2]
        stacked = torch.cat([fields.unsqueeze(0).expand(t, -1, -1, -1), interests.permute(2, 0, 1, 3)], dim=2)
        weights = torch.sigmoid(self.expand(self.reduce(stacked.mean(dim=3))))
        return (stacked * weights.unsqueeze(3)).reshape(t, n, -1)


class DTRN(nn.Module):
    """Fields and behaviour sequences -> TIM and TRM -> backbone -> one logit per task, [N, T]."""

    def __init__(self, vocabulary_sizes, numeric_count, target_field, behaviours, length, tasks, backbone="towers",
                 p=DEFAULTS):
        super().__init__()
        d = p["embedding"]
        self.p, self.backbone_name, self.target_field = p, backbone, target_field
        self.register_buffer("offsets", torch.tensor([0] + vocabulary_sizes[:-1]).cumsum(0))
        self.table = nn.Embedding(sum(vocabulary_sizes), d)
        nn.init.normal_(self.table.weight, std=0.01)
        self.numeric_vectors = nn.Parameter(xavier_uniform(torch.empty(numeric_count, d), numeric_count, d))
        self.interests = InterestModule(tasks, behaviours, length, p)
        self.fields = len(vocabulary_sizes) + numeric_count + behaviours
        self.refinement = RefinementModule(tasks, self.fields, p["gate_reduction"])
        self.backbone = {"towers": Towers, "mmoe": MMoE}[backbone](tasks, self.fields * d, p)

    def forward(self, categorical, numeric, sequences):
        """categorical [N, C], numeric [N, M], sequences [N, B, L] item ids (0 padding)."""
        embedded = self.table(categorical + self.offsets)
        fields = torch.cat([embedded, numeric.unsqueeze(2) * self.numeric_vectors], dim=1)
        target = embedded[:, self.target_field]
        items = self.table(sequences + self.offsets[self.target_field])
        interests = self.interests(items, sequences != 0, target)
        logits = self.backbone(self.refinement(fields, interests))
        return logits.squeeze(2).transpose(0, 1)


def multiply_adds(model, lengths, squared_lengths):
    """Multiply-adds of one sample's forward pass, counted as dtrn's ModelFlops counts them: the
    matrix products of every linear and stacked layer, self-attention's Q K^T and weights V
    (L^2 d each) and target-attention pooling (2 L d), with every behaviour sequence at
    `lengths[b]` positions (mean of the squares `squared_lengths[b]`); not the per-batch
    hypernetwork, lookups, norms, activations or softmax."""
    p, d = model.p, model.p["embedding"]
    tasks = model.interests.tasks
    total = 0.0
    for length, squared in zip(lengths, squared_lengths):
        total += length * d * 3 * d + 2 * squared * d + length * d * d
        total += tasks * (2 * length * d * p["feed_forward_hidden"] + 2 * length * d)
    stacked = lambda module: sum(layer.weight.numel() for layer in module.modules() if isinstance(layer, StackedLinear))
    total += stacked(model.refinement)
    backbone = model.backbone
    if isinstance(backbone, MMoE):
        # The shared experts run on every task's input.
        experts = backbone.first.in_features * backbone.first.out_features + sum(l.weight.numel() for l in backbone.deeper)
        total += tasks * experts + stacked(backbone.gates) + stacked(backbone.towers)
    else:
        total += stacked(backbone)
    return total
