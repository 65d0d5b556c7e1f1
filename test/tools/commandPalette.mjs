// The command palette of the real VS Code workbench, as a user drives it: F1, type the title, pick it.

/**
 * Opens the palette and types `title`; resolves with the command's row once it is listed (so a
 * screenshot shows it). Matches the exact title (a row's accessible name is "title" or "title, keybinding").
 */
export async function findPaletteCommand(page, title) {
  await page.keyboard.press('F1');
  const input = page.locator('.quick-input-widget input');
  await input.waitFor();
  await input.fill(`>${title}`);
  const row = page.locator(`.quick-input-list .monaco-list-row[aria-label^="${title},"], .quick-input-list .monaco-list-row[aria-label="${title}"]`).first();
  await row.waitFor();
  return row;
}

/** Runs a command by its palette title. */
export async function runPaletteCommand(page, title) {
  await (await findPaletteCommand(page, title)).click();
}
