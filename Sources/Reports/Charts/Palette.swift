/// Series colours: Okabe and Ito's palette, told apart with every common colour-vision deficiency.
enum Palette {
    static let colors = ["#0072B2", "#E69F00", "#009E73", "#D55E00", "#CC79A7", "#56B4E9", "#F0E442", "#000000"]

    /// The colour of series `index`.
    static func color(_ index: Int) -> String { colors[index % colors.count] }
}
