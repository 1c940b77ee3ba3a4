/** How core's OptionsErrors begin: a bad option is the caller's bug, thrown at construction, never a silent default. */
export const INVALID_CORE_OPTIONS = 'windsock core: invalid options';
