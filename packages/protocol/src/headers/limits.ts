/** The propagation protocol asks carriers to keep each header under 2 KB; longer values are refused. */
export const MAX_HEADER_LENGTH = 2048;
