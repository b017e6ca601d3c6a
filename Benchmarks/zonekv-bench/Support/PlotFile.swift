import ArgumentParser
import Foundation

/// Where a benchmark's `--plot` SVG goes. The file is created when the run starts, so a path
/// that cannot be written fails at once rather than after minutes of measuring.
struct PlotFile {
    let path: String

    init(_ path: String) throws {
        self.path = path
        try write("")
    }

    func write(_ svg: String) throws {
        guard FileManager.default.createFile(atPath: path, contents: Data(svg.utf8)) else {
            throw ValidationError("cannot write the plot to \(path): check that its folder exists and is writable")
        }
    }
}
