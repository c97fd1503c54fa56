import Models
import NN
import Tensor

/// A tiny layout with every kind of input: two categorical fields (the second the candidate
/// item), one numeric field, two behaviour sequences over the item vocabulary, three tasks.
let tinyLayout = FeatureLayout(
    categorical: [.init(name: "user", vocabularySize: 5), .init(name: "item", vocabularySize: 7)],
    numeric: ["price"],
    sequences: [.init(name: "clicks", behaviour: "click", length: 4, vocabularyField: 1),
                .init(name: "buys", behaviour: "buy", length: 3, vocabularyField: 1)],
    targetItemField: 1,
    tasks: [.init(name: "click"), .init(name: "like"), .init(name: "buy")])

/// A Census-like layout: categorical and numeric fields, no sequences and no target item,
/// two tasks.
let censusLikeLayout = FeatureLayout(
    categorical: [.init(name: "education", vocabularySize: 9), .init(name: "occupation", vocabularySize: 6)],
    numeric: ["age", "hours"],
    tasks: [.init(name: "income"), .init(name: "marital")])

/// `layout` with two tasks (click, then clicked and purchased), as ESMM needs.
func funnel(_ layout: FeatureLayout) -> FeatureLayout {
    var funnel = layout
    funnel.tasks = [.init(name: "click"), .init(name: "buy")]
    return funnel
}

/// A random batch for `layout`, with padded and empty sequences.
func randomBatch(_ layout: FeatureLayout, size: Int, seed: UInt64) -> ModelBatch {
    var rng = RandomGenerator(seed: seed)
    let categorical = (0..<size).flatMap { _ in layout.categorical.map { Int32(rng.nextInt(below: $0.vocabularySize)) } }
    let sequences = layout.sequences.map { spec -> [Int32] in
        let vocabulary = spec.vocabularyField.map { layout.categorical[$0].vocabularySize } ?? spec.vocabularySize
        return (0..<size).flatMap { row -> [Int32] in
            let real = row == 0 ? 0 : 1 + rng.nextInt(below: spec.length)
            return (0..<spec.length).map { $0 < spec.length - real ? 0 : Int32(1 + rng.nextInt(below: vocabulary - 1)) }
        }
    }
    let numeric = Tensor(shape: [size, layout.numeric.count],
                         values: (0..<(size * layout.numeric.count)).map { _ in rng.nextUniform() * 4 - 2 })
    return ModelBatch(size: size, categorical: categorical, numeric: numeric, sequences: sequences,
                      paddedLengths: layout.sequences.map(\.length))
}

/// Small widths, a smooth activation and batch norm, so every layer kind is exercised.
func tinyConfig(_ model: String, backbone: String = "towers") -> ModelConfig {
    var c = ModelConfig()
    c.activation = .gelu
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

/// Every model and DTRN variant of the zoo, by a readable name, plus a default-size DTRN.
let allConfigs: [(String, ModelConfig)] = {
    var configs = ModelZoo.entries.filter { $0.name != "dtrn" }.map { ($0.name, tinyConfig($0.name)) }
    for backbone in ModelZoo.dtrnBackbones { configs.append(("dtrn+\(backbone)", tinyConfig("dtrn", backbone: backbone))) }
    var noTIM = tinyConfig("dtrn"); noTIM.taskSpecificInterest = false
    var noTRM = tinyConfig("dtrn"); noTRM.representationRefinement = false
    var separate = tinyConfig("dtrn"); separate.separateEncoders = true
    var meanPooling = tinyConfig("dtrn"); meanPooling.pooling = .mean
    var doubleGate = tinyConfig("dtrn", backbone: "mmoe"); doubleGate.gateKind = .doubleSigmoid
    var batchNorm = tinyConfig("mmoe"); batchNorm.batchNorm = true; batchNorm.activation = .relu
    var plainDTRN = ModelConfig(); plainDTRN.model = "dtrn"
    configs += [("dtrn-no-tim", noTIM), ("dtrn-no-trm", noTRM), ("dtrn-separate", separate),
                ("dtrn-mean-pooling", meanPooling), ("dtrn-2sigmoid", doubleGate), ("mmoe-batch-norm", batchNorm),
                ("dtrn-default", plainDTRN)]
    return configs
}()

/// The layout `config` is exported on, from the synthetic-like or the Census-like one.
func layout(for config: ModelConfig, base: FeatureLayout) -> FeatureLayout {
    config.model == "esmm" || config.model == "aitm" ? funnel(base) : base
}
