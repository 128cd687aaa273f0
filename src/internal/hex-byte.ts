/**
 * The two lowercase hex digits of every byte value, indexed by the byte: ids and trace flags are written with it
 * instead of `toString(16).padStart(2, '0')` per byte (id generation and log correlation are hot paths).
 * @internal
 */
export const HEX_BYTE: readonly string[] = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, '0'));
