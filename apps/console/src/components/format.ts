/** A timestamp in the reader's time zone and language. */
export function formatTime(epochMs: number, language: string): string {
  return new Date(epochMs).toLocaleString(language === 'en' ? 'en-GB' : 'zh-CN', { hour12: false });
}
