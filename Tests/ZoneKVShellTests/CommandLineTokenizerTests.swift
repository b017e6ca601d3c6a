import Testing
import ZoneKVShell

/// Splitting typed lines into statements and words: quotes, escapes, separators, redirection.
struct CommandLineTokenizerTests {
    private func words(_ line: String) throws -> [[String]] {
        try CommandLineTokenizer.statements(in: line).map(\.words)
    }

    @Test func wordsQuotesAndEscapes() throws {
        #expect(try words("put  user42   hello") == [["put", "user42", "hello"]])
        #expect(try words("put k 'two words'") == [["put", "k", "two words"]])
        #expect(try words(#"put k "say \"hi\"\tthen\n""#) == [["put", "k", "say \"hi\"\tthen\n"]])
        #expect(try words(#"put k it\'s"#) == [["put", "k", "it's"]])
        #expect(try words(#"put k "\x41\x42""#) == [["put", "k", "AB"]])
        #expect(try words("put k ''") == [["put", "k", ""]])
        #expect(try words("put k 'a;b' ; get k") == [["put", "k", "a;b"], ["get", "k"]])
        #expect(try words("  ;; ") == [])
    }

    @Test func redirection() throws {
        let statements = try CommandLineTokenizer.statements(in: "get photo > out.jpg; get x")
        #expect(statements[0] == CommandLineTokenizer.Statement(words: ["get", "photo"], outputFile: "out.jpg"))
        #expect(statements[1].outputFile == nil)
    }

    @Test func brokenQuotingIsAnErrorThatSaysWhat() {
        func failure(_ line: String) -> String? {
            do {
                _ = try CommandLineTokenizer.statements(in: line)
                return nil
            } catch { return error.description }
        }
        #expect(failure("put k 'open")?.contains("single quote is not closed") == true)
        #expect(failure("put k \"open")?.contains("double quote is not closed") == true)
        #expect(failure("put k trailing\\")?.contains("backslash ends the line") == true)
        #expect(failure("get k >")?.contains("needs a file name") == true)
        #expect(failure("get k > a > b")?.contains("only one") == true)
        #expect(failure(#"put k "\xZZ""#)?.contains("two hex digits") == true)
        #expect(failure(#"put k "\xff""#)?.contains("0x") == true)
    }
}
