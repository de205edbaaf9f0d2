/** Name and version written into every report. */
export const REPORT_TOOL = '@descramble/demo 0.1.0';
