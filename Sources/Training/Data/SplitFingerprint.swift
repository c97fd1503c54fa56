import RecData

extension EncodedSplit {
    /// A short description of the split that differs, with high probability, between two
    /// different datasets: the row count and a hash of the labels and label weights of up to
    /// 1024 evenly spaced rows (reading a few pages even of a split of 10⁸ rows).
    var fingerprint: String {
        let t = labels.count / max(1, rowCount), samples = min(rowCount, 1024)
        var sample: [Float] = []
        sample.reserveCapacity(2 * samples * t)
        labels.withUnsafeBufferPointer { labels in
            labelWeights.withUnsafeBufferPointer { weights in
                for s in 0..<samples {
                    let row = samples > 1 ? s * (rowCount - 1) / (samples - 1) : 0
                    sample.append(contentsOf: labels[(row * t)..<((row + 1) * t)])
                    sample.append(contentsOf: weights[(row * t)..<((row + 1) * t)])
                }
            }
        }
        let hash = sample.withUnsafeBytes { Checksum.of($0) }
        return "\(rowCount) rows, sample hash \(String(hash, radix: 16))"
    }
}
