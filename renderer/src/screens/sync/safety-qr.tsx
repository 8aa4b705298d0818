import { create } from 'qrcode';
import { useMemo } from 'react';

/**
 * A safety number as a QR code, drawn as inline SVG from `qrcode`'s module matrix: no data:
 * URL and no canvas (the CSP allows images from 'self' only), one path, crisp at any size.
 */
export function SafetyQr({ text, label }: { text: string; label: string }) {
  const { size, d } = useMemo(() => {
    const { modules } = create(text, { errorCorrectionLevel: 'M' });
    let path = '';
    for (let row = 0; row < modules.size; row++) {
      for (let col = 0; col < modules.size; col++) {
        if (modules.get(row, col)) path += `M${col + 4} ${row + 4}h1v1h-1z`;
      }
    }
    return { size: modules.size + 8, d: path };
  }, [text]);
  return (
    <svg
      className="safety-qr"
      viewBox={`0 0 ${size} ${size}`}
      role="img"
      aria-label={label}
      shapeRendering="crispEdges"
      data-testid="safety-qr"
    >
      <rect width={size} height={size} fill="#fff" />
      <path d={d} fill="#000" />
    </svg>
  );
}
