// Word splitting and parameter expansion for one command line of sh. It
// follows the POSIX shell's rules for quoting, parameter expansion and field
// splitting, restricted to simple commands.

// One word after quote removal and expansion. `assignment` is true when the
// word has the form NAME=value with NAME unquoted, so it can set a variable.
export class Word {
  constructor(public text: string, public assignment: bool) {}
}

export class ParseResult {
  // `error` is empty on success, else a message such as "unterminated
  // quoted string".
  constructor(public words: Word[], public error: string) {}
}

function isNameStart(c: i32): bool {
  return c == 0x5f || (c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a);
}

function isNameChar(c: i32): bool {
  return isNameStart(c) || (c >= 0x30 && c <= 0x39);
}

function isDigits(text: string): bool {
  if (text.length == 0) return false;
  for (let i = 0; i < text.length; i++) {
    let c = text.charCodeAt(i);
    if (c < 0x30 || c > 0x39) return false;
  }
  return true;
}

function isBlank(c: i32): bool {
  return c == 0x20 || c == 0x09 || c == 0x0a || c == 0x0d;
}

// Splits `line` into words. `vars` contains what $NAME expands to, `status` is
// the value of $?, `pid` of $$, and `positional` contains $0, $1, $2 and so on.
export function parseLine(
  line: string,
  vars: Map<string, string>,
  status: i32,
  pid: i32,
  positional: string[] = [],
): ParseResult {
  let parser = new LineParser(line, vars, status, pid, positional);
  return parser.run();
}

class LineParser {
  words: Word[] = [];
  current: string = "";
  // A quote or a character has been seen, so the word exists even if empty.
  started: bool = false;
  // The word so far is an unquoted name, so an unquoted "=" makes it an
  // assignment.
  namePrefix: bool = true;
  assignment: bool = false;
  pos: i32 = 0;

  constructor(
    public line: string,
    public vars: Map<string, string>,
    public status: i32,
    public pid: i32,
    public positional: string[],
  ) {}

  run(): ParseResult {
    let line = this.line;
    while (this.pos < line.length) {
      let c = line.charCodeAt(this.pos);
      if (isBlank(c)) {
        this.endWord();
        this.pos++;
      } else if (c == 0x23 && !this.started) {
        break; // "#" at the start of a word begins a comment
      } else if (c == 0x27) {
        if (!this.singleQuoted()) return this.fail("unterminated quoted string");
      } else if (c == 0x22) {
        if (!this.doubleQuoted()) return this.fail("unterminated quoted string");
      } else if (c == 0x5c) {
        this.pos++;
        if (this.pos < line.length) {
          this.appendQuoted(line.charAt(this.pos));
          this.pos++;
        }
      } else if (c == 0x24) {
        this.expand(false);
      } else {
        this.appendLiteral(c);
        this.pos++;
      }
    }
    this.endWord();
    return new ParseResult(this.words, "");
  }

  fail(message: string): ParseResult {
    return new ParseResult([], message);
  }

  appendLiteral(c: i32): void {
    if (c == 0x3d && this.namePrefix && this.current.length > 0 && !this.assignment) {
      this.assignment = true;
    } else if (!isNameChar(c) || (this.current.length == 0 && !isNameStart(c))) {
      if (!this.assignment) this.namePrefix = false;
    }
    this.current += String.fromCharCode(c);
    this.started = true;
  }

  appendQuoted(text: string): void {
    if (!this.assignment) this.namePrefix = false;
    this.current += text;
    this.started = true;
  }

  endWord(): void {
    if (this.started) {
      this.words.push(new Word(this.current, this.assignment));
    }
    this.current = "";
    this.started = false;
    this.namePrefix = true;
    this.assignment = false;
  }

  // '...' : every character is literal up to the closing quote.
  singleQuoted(): bool {
    let close = this.line.indexOf("'", this.pos + 1);
    if (close < 0) return false;
    this.appendQuoted(this.line.substring(this.pos + 1, close));
    this.pos = close + 1;
    return true;
  }

  // "..." : $ expands, backslash quotes $ ` " \ and newline.
  doubleQuoted(): bool {
    let line = this.line;
    this.pos++;
    this.appendQuoted("");
    while (this.pos < line.length) {
      let c = line.charCodeAt(this.pos);
      if (c == 0x22) {
        this.pos++;
        return true;
      }
      if (c == 0x24) {
        this.expand(true);
        continue;
      }
      if (c == 0x5c && this.pos + 1 < line.length) {
        let next = line.charCodeAt(this.pos + 1);
        if (next == 0x24 || next == 0x60 || next == 0x22 || next == 0x5c || next == 0x0a) {
          this.appendQuoted(String.fromCharCode(next));
          this.pos += 2;
          continue;
        }
      }
      this.appendQuoted(String.fromCharCode(c));
      this.pos++;
    }
    return false;
  }

  // Expands the parameter at `pos` ("$?", "$$", "$#", "$0" to "$9", "$NAME",
  // "${NAME}", "${10}"); a "$" that starts none of them is literal.
  expand(quoted: bool): void {
    let line = this.line;
    let start = this.pos + 1;
    let value: string | null = null;
    let end = start;
    if (start < line.length) {
      let c = line.charCodeAt(start);
      if (c == 0x3f) {
        value = this.status.toString();
        end = start + 1;
      } else if (c == 0x24) {
        value = this.pid.toString();
        end = start + 1;
      } else if (c == 0x23 || (c >= 0x30 && c <= 0x39)) {
        value = this.variable(line.charAt(start));
        end = start + 1;
      } else if (c == 0x7b) {
        let close = line.indexOf("}", start);
        if (close > start) {
          value = this.variable(line.substring(start + 1, close));
          end = close + 1;
        }
      } else if (isNameStart(c)) {
        end = start;
        while (end < line.length && isNameChar(line.charCodeAt(end))) end++;
        value = this.variable(line.substring(start, end));
      }
    }
    if (end == start) {
      this.appendQuoted("$");
      this.pos = start;
      return;
    }
    this.pos = end;
    if (quoted) {
      this.appendQuoted(value!);
    } else {
      this.appendSplit(value!);
    }
  }

  // Returns the value of a variable, of "#" (the number of positional
  // parameters after $0) or of a positional parameter named by its digits.
  variable(name: string): string {
    if (name == "#") {
      let count = this.positional.length > 0 ? this.positional.length - 1 : 0;
      return count.toString();
    }
    if (isDigits(name)) {
      if (name.length > 9) return "";
      let index = I32.parseInt(name, 10);
      return index < this.positional.length ? this.positional[index] : "";
    }
    return this.vars.has(name) ? this.vars.get(name) : "";
  }

  // Field splitting of an unquoted expansion on blanks (the default IFS).
  appendSplit(value: string): void {
    for (let i = 0; i < value.length; i++) {
      let c = value.charCodeAt(i);
      if (isBlank(c)) {
        this.endWord();
      } else {
        this.appendQuoted(String.fromCharCode(c));
      }
    }
  }
}
