import Foundation
import Models
import NN
import Tensor

/// A tiny layout with every kind of input: two categorical fields (the second is the
/// candidate item), one numeric field, two behaviour sequences over the item vocabulary,
/// and three tasks.
let sequenceLayout = FeatureLayout(
    categorical: [.init(name: "user", vocabularySize: 5), .init(name: "item", vocabularySize: 7)],
    numeric: ["price"],
    sequences: [.init(name: "clicks", behaviour: "click", length: 4, vocabularyField: 1),
                .init(name: "buys", behaviour: "buy", length: 3, vocabularyField: 1)],
    targetItemField: 1,
    tasks: [.init(name: "click"), .init(name: "like"), .init(name: "buy")])

/// A Census-like layout: categorical and numeric fields, no sequences, two tasks.
let censusLikeLayout = FeatureLayout(
    categorical: [.init(name: "education", vocabularySize: 6), .init(name: "occupation", vocabularySize: 9),
                  .init(name: "race", vocabularySize: 4)],
    numeric: ["age", "hours_per_week"],
    tasks: [.init(name: "income"), .init(name: "marital")])

/// `layout` with its first two tasks only, as ESMM's funnel needs.
func funnel(_ layout: FeatureLayout) -> FeatureLayout {
    var copy = layout
    copy.tasks = Array(layout.tasks.prefix(2))
    return copy
}

/// Small widths, the model's default activation kept unless given.
func tinyConfig(_ model: String, backbone: String = "towers") -> ModelConfig {
    var c = ModelConfig()
    c.model = model
    c.backbone = backbone
    c.embeddingDimension = 4
    c.bottomHidden = [6]
    c.expertHidden = [5, 4]
    c.expertCount = 3
    c.towerHidden = [3]
    c.feedForwardHidden = 6
    c.conditionDimension = 3
    c.hypernetworkHidden = [5]
    c.levels = 2
    return c
}

/// Every model and DTRN variant the zoo builds, by a readable name, plus a default-size DTRN.
let allExportConfigs: [(String, ModelConfig)] = {
    var configs = ModelZoo.entries.filter { $0.name != "dtrn" }.map { ($0.name, tinyConfig($0.name)) }
    for backbone in ModelZoo.dtrnBackbones { configs.append(("dtrn+\(backbone)", tinyConfig("dtrn", backbone: backbone))) }
    var noTIM = tinyConfig("dtrn"); noTIM.taskSpecificInterest = false
    var noTRM = tinyConfig("dtrn"); noTRM.representationRefinement = false
    var separate = tinyConfig("dtrn"); separate.separateEncoders = true
    var meanPooling = tinyConfig("dtrn"); meanPooling.pooling = .mean
    var gelu = tinyConfig("dtrn", backbone: "mmoe"); gelu.activation = .gelu
    var defaults = ModelConfig(); defaults.model = "dtrn"
    configs += [("dtrn-no-tim", noTIM), ("dtrn-no-trm", noTRM), ("dtrn-separate", separate),
                ("dtrn-mean-pooling", meanPooling), ("dtrn-gelu", gelu), ("dtrn-default-size", defaults)]
    return configs
}()

/// The layout `config` is exported over: the funnel for ESMM.
func layout(_ base: FeatureLayout, for config: ModelConfig) -> FeatureLayout {
    config.model == "esmm" ? funnel(base) : base
}

/// A random batch for `layout`, with padded and empty sequences.
func randomBatch(_ layout: FeatureLayout, size: Int, seed: UInt64) -> ModelBatch {
    var rng = RandomGenerator(seed: seed)
    var categorical: [Int32] = []
    for _ in 0..<size {
        for field in layout.categorical { categorical.append(Int32(rng.nextInt(below: field.vocabularySize))) }
    }
    let numeric = Tensor(shape: [size, layout.numeric.count],
                         values: (0..<(size * layout.numeric.count)).map { _ in 4 * rng.nextUniform() - 2 })
    let sequences = layout.sequences.map { spec -> [Int32] in
        let vocabulary = spec.vocabularyField.map { layout.categorical[$0].vocabularySize } ?? spec.vocabularySize
        return (0..<size).flatMap { row -> [Int32] in
            let real = row == 0 ? 0 : 1 + rng.nextInt(below: spec.length)
            return (0..<spec.length).map { $0 < spec.length - real ? 0 : Int32(1 + rng.nextInt(below: vocabulary - 1)) }
        }
    }
    return ModelBatch(size: size, categorical: categorical, numeric: numeric,
                      sequences: sequences, paddedLengths: layout.sequences.map(\.length))
}

/// `batch` as the named input tensors of `layout`'s signature, in the JSON the check script reads.
func inputTensors(_ batch: ModelBatch, layout: FeatureLayout) -> [String: Any] {
    var tensors: [String: Any] = [:]
    let fields = layout.categorical.count
    for (f, field) in layout.categorical.enumerated() {
        tensors[field.name] = ["dtype": "int64", "shape": [batch.size],
                               "values": (0..<batch.size).map { Int(batch.categorical[$0 * fields + f]) }]
    }
    for (j, name) in layout.numeric.enumerated() {
        tensors[name] = ["dtype": "float32", "shape": [batch.size],
                         "values": (0..<batch.size).map { Double(batch.numeric.values[$0 * layout.numeric.count + j]) }]
    }
    for (s, spec) in layout.sequences.enumerated() {
        tensors[spec.name] = ["dtype": "int64", "shape": [batch.size, spec.length], "values": batch.sequences[s].map { Int($0) }]
    }
    return tensors
}
