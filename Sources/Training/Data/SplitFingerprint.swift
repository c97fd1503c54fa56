import RecData

extension EncodedSplit {
    /// A short description of the split that differs, with high probability, between two
    /// different datasets: the row count and a hash of the labels and label weights of up to
    /// 1024 evenly spaced rows (reading a few pages even of a split of 10⁸ rows).
    var fingerprint: String {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        let t = labels.count / max(1, rowCount), samples = min(rowCount, 1024)
        labels.withUnsafeBufferPointer { labels in
            labelWeights.withUnsafeBufferPointer { weights in
                for s in 0..<samples {
                    let row = samples > 1 ? s * (rowCount - 1) / (samples - 1) : 0
                    for k in 0..<t {
                        hash = (hash ^ UInt64(labels[row * t + k].bitPattern)) &* 0x100_0000_01b3
                        hash = (hash ^ UInt64(weights[row * t + k].bitPattern)) &* 0x100_0000_01b3
                    }
                }
            }
        }
        return "\(rowCount) rows, sample hash \(String(hash, radix: 16))"
    }
}
