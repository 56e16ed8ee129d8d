/**
 * kafkajs 2.2.4 computes a negative setTimeout delay on Node.js 24 (clamped to 1 ms by Node, so
 * harmless) and Node warns on every client connection: tulios/kafkajs#1751. Drop that one
 * warning so that real warnings stay visible; every other warning is printed as before.
 */
export function silenceKafkajsNegativeTimeoutWarning(): void {
  const printers = process.listeners('warning');
  process.removeAllListeners('warning');
  process.on('warning', (warning) => {
    if (warning.name !== 'TimeoutNegativeWarning') for (const print of printers) print(warning);
  });
}
