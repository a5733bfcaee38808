/** A short, human description of a stored event: its document reference and size. */
export const eventSummary = (event: Record<string, unknown>): string => {
  const data = (event.data ?? {}) as Record<string, unknown>;
  const ref =
    data.receiptId ??
    data.returnId ??
    data.purchaseOrderId ??
    data.transferId ??
    data.adjustmentId ??
    data.countId ??
    data.pickupId;
  const lines = Array.isArray(data.lines) ? data.lines.length : 0;
  const parts = [typeof ref === 'string' ? ref : '', lines ? `${lines} line${lines === 1 ? '' : 's'}` : ''];
  if (typeof data.to === 'string') parts.push(`to ${data.to}`);
  if (typeof data.reason === 'string') parts.push(data.reason);
  return parts.filter(Boolean).join(' · ');
};
