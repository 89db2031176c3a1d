// Terminal line discipline on the serial console, in canonical mode as
// POSIX.1 "General Terminal Interface" describes it: input is edited a line
// at a time and a read returns at most one line.
//
// Input ring, indices counting bytes since boot (they wrap at 2^32, which
// unsigned subtraction handles):
//
//   readIndex <= commitIndex <= editIndex <= readIndex + TTY_BUFFER_SIZE
//   [readIndex, commitIndex)  completed lines that read() has not taken yet
//   [commitIndex, editIndex)  the line being typed, which erase and ^C edit
//
// ttyReceive runs in the serial interrupt handler and only moves commitIndex
// and editIndex. ttyRead runs in a process and only moves readIndex. The
// ring is static, so the interrupt path never allocates.

import { sleep } from "../process/sched";
import { signalTerminal, SIGINT, SIGQUIT } from "../process/signal";
import { isUtf8Continuation } from "../lib/utf8";
import { COM1, uartPutc } from "./uart";

const TTY_BUFFER_SIZE: u32 = 1024; // a power of two
const TTY_BUFFER_MASK: u32 = TTY_BUFFER_SIZE - 1;

const CHAR_EOF: u8 = 0x04; // ^D (VEOF)
const CHAR_INTR: u8 = 0x03; // ^C (VINTR)
const CHAR_QUIT: u8 = 0x1c; // ^\ (VQUIT)
const CHAR_BACKSPACE: u8 = 0x08;
const CHAR_DEL: u8 = 0x7f; // VERASE on most terminals
const CHAR_KILL: u8 = 0x15; // ^U (VKILL)
const CHAR_WERASE: u8 = 0x17; // ^W (VWERASE)
const CHAR_TAB: u8 = 0x09;
const CHAR_NL: u8 = 0x0a;
const CHAR_CR: u8 = 0x0d;
const CHAR_SPACE: u8 = 0x20;
const CHAR_CARET: u8 = 0x5e;

const ring: usize = memory.data(<i32>TTY_BUFFER_SIZE);
let readIndex: u32 = 0;
let commitIndex: u32 = 0;
let editIndex: u32 = 0;

// Returns the sleep channel that readers wait on until a line is complete.
export function ttyChannel(): usize {
  return ring;
}

function ringAt(index: u32): usize {
  return ring + <usize>(index & TTY_BUFFER_MASK);
}

function echo(byte: u8): void {
  if (byte == CHAR_NL) uartPutc(COM1, CHAR_CR);
  uartPutc(COM1, byte);
}

function echoString(text: string): void {
  for (let i = 0; i < text.length; i++) echo(<u8>text.charCodeAt(i));
}

// Control characters other than tab and newline echo as "^X" (ECHOCTL).
function echoesAsCaret(byte: u8): bool {
  return byte < CHAR_SPACE && byte != CHAR_TAB && byte != CHAR_NL;
}

function echoInput(byte: u8): void {
  if (echoesAsCaret(byte)) {
    uartPutc(COM1, CHAR_CARET);
    uartPutc(COM1, byte + 0x40);
  } else {
    echo(byte);
  }
}

// Removes the last character of the line being typed, with all bytes of its
// UTF-8 encoding, and erases it on screen.
// NOTE: a tab is erased as one column, wherever it moved the cursor to.
function eraseCharacter(): void {
  if (editIndex == commitIndex) return;
  editIndex--;
  while (editIndex != commitIndex && isUtf8Continuation(load<u8>(ringAt(editIndex)))) {
    editIndex--;
  }
  echoString("\b \b");
  if (echoesAsCaret(load<u8>(ringAt(editIndex)))) echoString("\b \b");
}

function lastByteIsBlank(): bool {
  const byte = load<u8>(ringAt(editIndex - 1));
  return byte == CHAR_SPACE || byte == CHAR_TAB;
}

// Removes the last word of the line being typed and the blanks after it.
function eraseWord(): void {
  while (editIndex != commitIndex && lastByteIsBlank()) eraseCharacter();
  while (editIndex != commitIndex && !lastByteIsBlank()) eraseCharacter();
}

// Appends `byte` to the line being typed. The last free byte of the ring is
// kept for the character that ends the line, so a full ring still accepts
// Enter and ^D and a reader can always make progress.
function appendByte(byte: u8, endsLine: bool): bool {
  const used = editIndex - readIndex;
  if (used >= TTY_BUFFER_SIZE) return false;
  if (!endsLine && used >= TTY_BUFFER_SIZE - 1) return false;
  store<u8>(ringAt(editIndex), byte);
  editIndex++;
  return true;
}

// Processes one byte received from the terminal: edits the current line
// (erase, ^U, ^W), sends SIGINT on ^C and SIGQUIT on ^\, echoes, and
// completes the line on NL, CR or ^D. Returns true when a line
// was completed, so the caller wakes readers on ttyChannel(). Runs in the
// interrupt handler: it must not allocate.
export function ttyReceive(received: u8): bool {
  let byte = received;
  if (byte == CHAR_CR) byte = CHAR_NL; // ICRNL

  if (byte == CHAR_BACKSPACE || byte == CHAR_DEL) {
    eraseCharacter();
    return false;
  }
  if (byte == CHAR_KILL) {
    while (editIndex != commitIndex) eraseCharacter();
    return false;
  }
  if (byte == CHAR_WERASE) {
    eraseWord();
    return false;
  }
  if (byte == CHAR_INTR || byte == CHAR_QUIT) {
    // ISIG is always on: ^C and ^\ discard the line being typed and signal
    // every process on the console, which does not allocate. A shell that
    // ignores the signal keeps waiting in read() and prints no new prompt.
    editIndex = commitIndex;
    echoInput(byte);
    echo(CHAR_NL);
    signalTerminal(byte == CHAR_INTR ? SIGINT : SIGQUIT);
    return false;
  }
  if (byte == CHAR_EOF) {
    // ^D is kept in the ring as an end-of-input marker. It is never data in
    // canonical mode, so ttyRead can tell it apart.
    if (!appendByte(CHAR_EOF, true)) return false;
    commitIndex = editIndex;
    return true;
  }
  if (byte == CHAR_NL) {
    if (!appendByte(CHAR_NL, true)) return false;
    echo(CHAR_NL);
    commitIndex = editIndex;
    return true;
  }
  if (appendByte(byte, false)) echoInput(byte);
  return false;
}

// Reads at most one line of input into the kernel buffer `dst`, blocking
// until a line is complete. Returns the byte count, which includes the "\n"
// when it fits. ^D ends the line without adding a byte, so ^D on an empty
// line returns 0 (end of file).
//
// The kernel runs with interrupts disabled except while the scheduler idles
// (kernel/process/sched.ts), so no line can complete between the check for
// input and sleep(), and no wakeup is lost.
export function ttyRead(dst: usize, len: usize): i64 {
  if (len == 0) return 0;
  while (readIndex == commitIndex) sleep(ttyChannel());

  let count: usize = 0;
  while (count < len && readIndex != commitIndex) {
    const byte = load<u8>(ringAt(readIndex));
    if (byte == CHAR_EOF) {
      // POSIX discards the EOF character and returns what precedes it,
      // which is nothing for a ^D at the start of a line.
      readIndex++;
      break;
    }
    store<u8>(dst + count, byte);
    count++;
    readIndex++;
    if (byte == CHAR_NL) break;
  }
  return <i64>count;
}

// Writes `len` bytes from the kernel buffer `src` to the terminal, turning
// each "\n" into "\r\n" (OPOST, ONLCR). Returns `len`.
export function ttyWrite(src: usize, len: usize): i64 {
  for (let i: usize = 0; i < len; i++) echo(load<u8>(src + i));
  return <i64>len;
}
