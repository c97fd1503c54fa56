import ArgumentParser
import Foundation
import Models
import RecData
import Tensor
import Training

/// The options shared by `dtrn train` and the training benchmarks: what data, which model,
/// and how to train it. Command-line options override the config file, which overrides
/// the defaults.
struct RunOptions: ParsableArguments {
    @Option(help: "Data: synthetic, census-income, ali-ccp, taobao, or a store folder made by 'dtrn data ingest'.")
    var data = "synthetic"

    @OptionGroup var location: DataLocationOptions

    @Option(help: "A YAML/JSON file with 'model:' and 'training:' sections.")
    var config: String?

    @Option(help: "A preset for census-income as torch-rechub's examples size it: rechub or large.")
    var preset: String?

    @Option(help: "The model: \(ModelZoo.entries.map(\.name).joined(separator: ", ")).")
    var model: String?

    @Option(help: "DTRN's backbone: \(ModelZoo.dtrnBackbones.joined(separator: ", ")).")
    var backbone: String?

    @Flag(help: "DTRN without the task-specific interest module's conditioning (ablation).")
    var noTim = false

    @Flag(help: "DTRN without the representation refinement gates (ablation).")
    var noTrm = false

    @Flag(help: "DTRN with a separate encoder per task and behaviour (ablation).")
    var separateEncoders = false

    @Option(help: "Passes over the training data.")
    var epochs: Int?

    @Option(help: "Samples per step.")
    var batchSize: Int?

    @Option(help: "The learning rate.")
    var lr: Float?

    @Option(help: "The seed of weights, shuffling, dropout (and of the synthetic data unless --data-seed).")
    var seed: UInt64?

    @Option(help: "Worker threads for kernels and BLAS (default: all cores; under mpirun, the cores of each process).")
    var threads: Int?

    @Option(help: PrecisionOption.help)
    var precision: MatrixPrecision?

    @Option(help: "Task weighting: fixed, or gradnorm (GradNorm, Chen et al. 2018).")
    var taskWeighting: String?

    @Option(help: "GradNorm's asymmetry alpha (default 1.5).")
    var gradnormAlpha: Float?

    @Option(help: "Gradient surgery on the shared parameters: none, or pcgrad (PCGrad, Yu et al. 2020).")
    var gradientSurgery: String?

    @Flag(help: "Log gradient conflict between tasks to RUN/diagnostics.jsonl (one process only).")
    var diagnostics = false

    @Option(help: "With --diagnostics: diagnose every this many steps (default 50).")
    var diagnosticsEvery: Int?

    @Option(help: "Synthetic data: task conflict in [0, 1].")
    var conflict: Double?

    @Option(help: "Synthetic data: training rows.")
    var syntheticRows: Int?

    @Option(help: "Synthetic data: validation rows and test rows (default: 50000 each).")
    var syntheticEvalRows: Int?

    @Option(help: "Synthetic data: the generator's seed (default: 1).")
    var dataSeed: UInt64?

    /// The model and training settings these options describe.
    func configs() throws -> (model: ModelConfig, training: TrainingConfig) {
        var file = try config.map(RunConfigFile.init(path:)) ?? RunConfigFile()
        if let preset {
            try Preset.apply(preset, to: &file.model, training: &file.training)
        }
        var (m, t) = (file.model, file.training)
        if let model { m.model = model }
        if let backbone { m.backbone = backbone }
        if noTim { m.taskSpecificInterest = false }
        if noTrm { m.representationRefinement = false }
        if separateEncoders { m.separateEncoders = true }
        if let epochs { t.epochs = epochs }
        if let batchSize { t.batchSize = batchSize }
        if let lr { t.learningRate = lr }
        if let seed { t.seed = seed }
        if let threads { t.threads = threads }
        if let precision { t.precision = precision }
        if let taskWeighting { t.taskWeighting = taskWeighting }
        if let gradnormAlpha { t.gradNormAlpha = gradnormAlpha }
        if let gradientSurgery { t.gradientSurgery = gradientSurgery }
        if diagnosticsEvery != nil && !diagnostics { throw ValidationError("--diagnostics-every needs --diagnostics") }
        if diagnostics { t.diagnosticsEvery = diagnosticsEvery ?? t.diagnosticsEvery ?? 50 }
        return (m, t)
    }

    /// The data these options name.
    func dataSource() throws -> DataSource {
        var synthetic = SyntheticConfig()
        if let conflict { synthetic.conflict = conflict }
        if let syntheticRows { synthetic.trainRows = syntheticRows }
        if let syntheticEvalRows { (synthetic.validationRows, synthetic.testRows) = (syntheticEvalRows, syntheticEvalRows) }
        if let dataSeed { synthetic.seed = dataSeed }
        try synthetic.validate()
        return DataSource(name: data, input: location.input, cache: location.cache, dataRoot: location.dataRoot,
                          synthetic: synthetic)
    }
}

/// Named model and training settings.
enum Preset {
    /// Applies preset `name`.
    static func apply(_ name: String, to model: inout ModelConfig, training: inout TrainingConfig) throws {
        switch name {
        case "rechub":
            // torch-rechub's Census-Income example: embedding 4; MMoE 8 experts [16]; PLE one level,
            // 2 task + 1 shared experts [16]; Shared-Bottom [117]; towers [8]; Linear→BatchNorm→ReLU
            // (gates Linear→BatchNorm→softmax); PyTorch's initial weights; Adam lr 1e-3, weight
            // decay 1e-4, batch 1024.
            model.embeddingDimension = 4
            model.expertCount = 8
            model.expertHidden = [16]
            model.levels = 1
            model.taskExpertCount = 2
            model.sharedExpertCount = 1
            model.bottomHidden = [117]
            model.towerHidden = [8]
            model.batchNorm = true
            model.initialization = .pytorch
            training.learningRate = 1e-3
            training.weightDecay = 1e-4
            training.batchSize = 1024
        case "large":
            model.embeddingDimension = 16
            model.expertHidden = [256, 128]
            model.levels = 2
            model.taskExpertCount = 2
            model.sharedExpertCount = 2
            model.bottomHidden = [512, 256]
            model.towerHidden = [64]
            model.batchNorm = true
            model.initialization = .pytorch
        default:
            throw ValidationError("unknown preset '\(name)': rechub or large")
        }
    }
}
