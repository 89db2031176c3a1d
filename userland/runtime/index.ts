// The user runtime: import everything a program needs from here.
export * from "./syscall";
export * from "./errno";
export * from "./cstring";
export * from "./args";
export * from "./io";
export * from "./process";
export * from "./stat";
export * from "./resident";
export * from "./signal";
