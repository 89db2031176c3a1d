// Run-time support of the user target, in nasm: start-up and the resident
// hook, traps, env.abort/trace/seed and stderr formatting (docs/abi.md,
// "User target"). It uses the Linux x86-64 system calls write (1) and
// exit_group (231), and the project calls 1000 (register) and 1001
// (unregister).
import { hex, trapMessages } from "../lower/target.ts";
import { cString } from "./text.ts";

const stackLimitBytes = 0x100000;

export function userRuntime(hasMain: boolean, memoryBase: bigint): string[] {
  const callMain = hasMain
    ? [`    call wasm_export_main`, `    mov edi, eax`]
    : [`    xor edi, edi`];
  return `
; Entry from the kernel or the Linux loader: rsp points at argc.
_start:
    mov [rel aot_initial_sp], rsp
    lea rax, [rsp-${stackLimitBytes}]
    mov [rel aot_stack_limit], rax
    xor ebp, ebp
    call aot_init
    lea rdi, [rel aot_register_variable]
    call aot_find_environment
    test eax, eax
    jz aot_resume
    lea r12, [rel aot_register_failed]
    mov eax, 1000
    lea rdi, [rel aot_resume]
    syscall
    jmp aot_report_resident

; Resume point: a resident exec starts here on a fresh stack. The
; unregister request is checked here, so that it also reaches a program
; that is resident.
aot_resume:
    mov [rel aot_initial_sp], rsp
    lea rax, [rsp-${stackLimitBytes}]
    mov [rel aot_stack_limit], rax
    xor ebp, ebp
    lea rdi, [rel aot_unregister_variable]
    call aot_find_environment
    test eax, eax
    jz .run
    lea r12, [rel aot_unregister_failed]
    mov eax, 1001
    mov rdi, -1
    syscall
    jmp aot_report_resident
.run:
${callMain.join("\n")}
    mov eax, 231
    syscall

; rax = result of a resident system call, r12 = message prefix. Exits with
; status 0 on success; prints the prefix and errno and exits with 1 on
; failure.
aot_report_resident:
    test rax, rax
    js .failed
    xor edi, edi
    mov eax, 231
    syscall
.failed:
    mov rbx, rax
    mov rdi, r12
    call aot_buffer_string
    mov rdi, rbx
    neg rdi
    call aot_buffer_decimal
    mov edi, 10
    call aot_buffer_byte
    call aot_buffer_flush
    mov edi, 1
    mov eax, 231
    syscall

; aot_find_environment: rdi = NUL-terminated "NAME=value"; eax = 1 if the
; environment of the initial stack holds exactly that string.
aot_find_environment:
    push rbx
    push r12
    sub rsp, 8
    mov r12, rdi
    mov rcx, [rel aot_initial_sp]
    mov rax, [rcx]
    lea rbx, [rcx+8*rax+16]
.next:
    mov rdi, [rbx]
    xor eax, eax
    test rdi, rdi
    jz .done
    mov rsi, r12
    call aot_string_equal
    test eax, eax
    jnz .done
    add rbx, 8
    jmp .next
.done:
    add rsp, 8
    pop r12
    pop rbx
    ret

; aot_string_equal: rdi, rsi = NUL-terminated strings; eax = 1 if equal.
aot_string_equal:
    xor ecx, ecx
.next:
    mov al, [rdi+rcx]
    cmp al, [rsi+rcx]
    jne .different
    inc rcx
    test al, al
    jnz .next
    mov eax, 1
    ret
.different:
    xor eax, eax
    ret

; aot_trap: edi = trap kind, rsi = function name. Does not return.
aot_trap:
    and rsp, -16
    mov ebx, edi
    mov r12, rsi
    lea rdi, [rel aot_trap_prefix]
    call aot_buffer_string
    lea rax, [rel aot_trap_messages]
    mov rdi, [rax+8*rbx]
    call aot_buffer_string
    lea rdi, [rel aot_trap_in]
    call aot_buffer_string
    mov rdi, r12
    call aot_buffer_string
    mov edi, 10
    call aot_buffer_byte
    call aot_buffer_flush
    mov edi, 134
    mov eax, 231
    syscall

; env.abort(message, file, line, column), System V. Does not return.
aot_env_abort:
    push rbp
    mov rbp, rsp
    mov r12d, esi
    mov r13d, edx
    mov r14d, ecx
    mov ebx, edi
    lea rdi, [rel aot_abort_prefix]
    call aot_buffer_string
    mov edi, ebx
    call aot_buffer_utf16
    lea rdi, [rel aot_abort_at]
    call aot_buffer_string
    mov edi, r12d
    call aot_buffer_utf16
    mov edi, ':'
    call aot_buffer_byte
    mov edi, r13d
    call aot_buffer_decimal
    mov edi, ':'
    call aot_buffer_byte
    mov edi, r14d
    call aot_buffer_decimal
    mov edi, 10
    call aot_buffer_byte
    call aot_buffer_flush
    mov edi, 134
    mov eax, 231
    syscall

; env.trace(message, n, a0..a4), System V: message, then the first n of
; the five f64 arguments.
aot_env_trace:
    push rbp
    mov rbp, rsp
    push rbx
    push r12
    sub rsp, 48
    movsd [rsp], xmm0
    movsd [rsp+8], xmm1
    movsd [rsp+16], xmm2
    movsd [rsp+24], xmm3
    movsd [rsp+32], xmm4
    mov r12d, esi
    cmp r12d, 5
    jbe .count_ok
    mov r12d, 5
.count_ok:
    mov ebx, edi
    lea rdi, [rel aot_trace_prefix]
    call aot_buffer_string
    mov edi, ebx
    call aot_buffer_utf16
    xor ebx, ebx
.argument:
    cmp ebx, r12d
    jae .done
    mov edi, ' '
    test ebx, ebx
    jz .separator_done
    mov edi, ','
    call aot_buffer_byte
    mov edi, ' '
.separator_done:
    call aot_buffer_byte
    movsd xmm0, [rsp+8*rbx]
    call aot_buffer_f64
    inc ebx
    jmp .argument
.done:
    mov edi, 10
    call aot_buffer_byte
    call aot_buffer_flush
    add rsp, 48
    pop r12
    pop rbx
    leave
    ret

; env.seed(): an f64 from the time-stamp counter.
aot_env_seed:
    rdtsc
    shl rdx, 32
    or rax, rdx
    shr rax, 1
    cvtsi2sd xmm0, rax
    ret

; The stderr buffer: aot_buffer_* append, aot_buffer_flush writes it to
; fd 2. Output beyond the buffer's size is dropped.
aot_buffer_byte:
    mov rax, [rel aot_buffer_length]
    cmp rax, aot_buffer_size
    jae .full
    lea rcx, [rel aot_buffer]
    mov [rcx+rax], dil
    inc rax
    mov [rel aot_buffer_length], rax
.full:
    ret

; rdi = NUL-terminated string.
aot_buffer_string:
    push rbx
    mov rbx, rdi
.next:
    movzx edi, byte [rbx]
    test edi, edi
    jz .done
    call aot_buffer_byte
    inc rbx
    jmp .next
.done:
    pop rbx
    ret

; rdi = signed 64-bit integer, written in decimal.
aot_buffer_decimal:
    push rbx
    sub rsp, 32
    mov rax, rdi
    test rax, rax
    jns .positive
    push rax
    mov edi, '-'
    call aot_buffer_byte
    pop rax
    neg rax
.positive:
    xor ecx, ecx
    mov r8, 10
.digit:
    xor edx, edx
    div r8
    add dl, '0'
    mov [rsp+rcx], dl
    inc rcx
    test rax, rax
    jnz .digit
    mov rbx, rcx
.emit:
    dec rbx
    movzx edi, byte [rsp+rbx]
    call aot_buffer_byte
    test rbx, rbx
    jnz .emit
    add rsp, 32
    pop rbx
    ret

; edi = wasm address of an AssemblyScript string (UTF-16LE, byte length
; in the u32 before it), appended as UTF-8; 0 appends "null".
aot_buffer_utf16:
    push rbx
    push r12
    push r13
    test edi, edi
    jnz .present
    lea rdi, [rel aot_null_text]
    call aot_buffer_string
    jmp .done
.present:
    mov ebx, edi
    mov rax, [rel aot_memory_bytes]
    cmp rbx, 4
    jb .done
    cmp rbx, rax
    ja .done
    mov r12, ${hex(memoryBase)}
    mov r12d, [r12+rbx-4]
    shr r12, 1
    lea rcx, [rbx+2*r12]
    cmp rcx, rax
    ja .done
    mov rax, ${hex(memoryBase)}
    add rbx, rax
    xor r13d, r13d
.unit:
    cmp r13, r12
    jae .done
    movzx edi, word [rbx+2*r13]
    inc r13
    mov eax, edi
    and eax, 0xfc00
    cmp eax, 0xd800
    jne .encode
    cmp r13, r12
    jae .encode
    movzx eax, word [rbx+2*r13]
    mov ecx, eax
    and ecx, 0xfc00
    cmp ecx, 0xdc00
    jne .encode
    inc r13
    sub edi, 0xd800
    shl edi, 10
    sub eax, 0xdc00
    add edi, eax
    add edi, 0x10000
.encode:
    call aot_buffer_code_point
    jmp .unit
.done:
    pop r13
    pop r12
    pop rbx
    ret

; edi = Unicode code point, appended as UTF-8.
aot_buffer_code_point:
    push rbx
    mov ebx, edi
    cmp ebx, 0x80
    jae .two
    call aot_buffer_byte
    jmp .done
.two:
    cmp ebx, 0x800
    jae .three
    mov edi, ebx
    shr edi, 6
    or edi, 0xc0
    call aot_buffer_byte
    jmp .last
.three:
    cmp ebx, 0x10000
    jae .four
    mov edi, ebx
    shr edi, 12
    or edi, 0xe0
    call aot_buffer_byte
    jmp .middle
.four:
    mov edi, ebx
    shr edi, 18
    or edi, 0xf0
    call aot_buffer_byte
    mov edi, ebx
    shr edi, 12
    and edi, 0x3f
    or edi, 0x80
    call aot_buffer_byte
.middle:
    mov edi, ebx
    shr edi, 6
    and edi, 0x3f
    or edi, 0x80
    call aot_buffer_byte
.last:
    mov edi, ebx
    and edi, 0x3f
    or edi, 0x80
    call aot_buffer_byte
.done:
    pop rbx
    ret

; xmm0 = f64. Integral values below 2^63 print as integers, others with
; up to 9 fractional digits; JavaScript prints the shortest round-trip
; form, so the two differ for some values.
aot_buffer_f64:
    push rbx
    push r12
    sub rsp, 24
    ucomisd xmm0, xmm0
    jp .nan
    movq rax, xmm0
    btr rax, 63
    jnc .positive
    test rax, rax
    jz .positive
    mov [rsp], rax
    mov edi, '-'
    call aot_buffer_byte
    mov rax, [rsp]
.positive:
    movq xmm0, rax
    mov rcx, 0x7ff0000000000000
    cmp rax, rcx
    je .infinity
    mov rcx, 0x43e0000000000000
    cmp rax, rcx
    jae .large
    cvttsd2si rdi, xmm0
    cvtsi2sd xmm1, rdi
    subsd xmm0, xmm1
    movsd [rsp], xmm0
    call aot_buffer_decimal
    movsd xmm0, [rsp]
    mov rax, 0x41cdcd6500000000
    movq xmm1, rax
    mulsd xmm0, xmm1
    roundsd xmm0, xmm0, 0
    cvttsd2si rax, xmm0
    test rax, rax
    jz .done
    cmp rax, 1000000000
    jae .done
    mov r12d, 9
.trim:
    mov rbx, rax
    xor edx, edx
    mov ecx, 10
    div rcx
    test rdx, rdx
    jnz .fraction
    dec r12d
    jmp .trim
.fraction:
    mov rax, rbx
    mov ecx, r12d
.fraction_digit:
    xor edx, edx
    mov r8d, 10
    div r8
    add dl, '0'
    mov [rsp+rcx-1], dl
    dec ecx
    jnz .fraction_digit
    mov edi, '.'
    call aot_buffer_byte
    xor ebx, ebx
.fraction_emit:
    movzx edi, byte [rsp+rbx]
    call aot_buffer_byte
    inc ebx
    cmp ebx, r12d
    jb .fraction_emit
    jmp .done
.large:
    lea rdi, [rel aot_large_text]
    call aot_buffer_string
    jmp .done
.infinity:
    lea rdi, [rel aot_infinity_text]
    call aot_buffer_string
    jmp .done
.nan:
    lea rdi, [rel aot_nan_text]
    call aot_buffer_string
.done:
    add rsp, 24
    pop r12
    pop rbx
    ret

aot_buffer_flush:
    mov eax, 1
    mov edi, 2
    lea rsi, [rel aot_buffer]
    mov rdx, [rel aot_buffer_length]
    syscall
    mov qword [rel aot_buffer_length], 0
    ret
`.split("\n");
}

export function userRuntimeRodata(): string[] {
  const lines = [
    `aot_register_variable:`,
    cString("LD_RESIDENT_REGISTER_NOW=yes"),
    `aot_unregister_variable:`,
    cString("LD_RESIDENT_UNREGISTER_NOW=yes"),
    `aot_register_failed:`,
    cString("resident: cannot register: errno "),
    `aot_unregister_failed:`,
    cString("resident: cannot unregister: errno "),
    `aot_trap_prefix:`,
    cString("trap: "),
    `aot_trap_in:`,
    cString(" in "),
    `aot_abort_prefix:`,
    cString("abort: "),
    `aot_abort_at:`,
    cString(" at "),
    `aot_trace_prefix:`,
    cString("trace: "),
    `aot_null_text:`,
    cString("null"),
    `aot_nan_text:`,
    cString("NaN"),
    `aot_infinity_text:`,
    cString("Infinity"),
    `aot_large_text:`,
    cString("(>= 2^63)"),
  ];
  trapMessages.forEach((message, i) => lines.push(`aot_trap_message${i}:`, cString(message)));
  lines.push(`align 8`, `aot_trap_messages:`);
  trapMessages.forEach((_, i) => lines.push(`    dq aot_trap_message${i}`));
  return lines;
}

export function userRuntimeData(): string[] {
  return [
    `align 8`,
    `aot_initial_sp:`,
    `    dq 0`,
    `aot_stack_limit:`,
    `    dq 0`,
    `aot_buffer_length:`,
    `    dq 0`,
  ];
}

export function userRuntimeBss(): string[] {
  return [`aot_buffer_size equ 4096`, `aot_buffer:`, `    resb aot_buffer_size`];
}
