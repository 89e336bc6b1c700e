import { textTable } from '../textTable';
import { CLAIM_WINDOW, ClaimCost } from './claimCost';

const ms = (value: number) => value.toFixed(2);
const times = (value: number) => `${value.toFixed(2)}x`;

/**
 * One row per engine and tenant count; the ratio columns compare each
 * median with that engine's fewest tenants (the 1000/10 on the
 * last row of each engine).
 */
export function formatClaimCosts(costs: ClaimCost[]): string {
  const fewest = new Map<string, ClaimCost>();
  for (const cost of costs) {
    const known = fewest.get(cost.engine);
    if (!known || cost.tenants < known.tenants) fewest.set(cost.engine, cost);
  }
  const rows = costs.map(cost => {
    const base = fewest.get(cost.engine)!;
    return [
      cost.engine,
      String(cost.tenants),
      String(cost.rows),
      ms(cost.findTenants.median),
      ms(cost.findTenants.p90),
      times(cost.findTenants.median / base.findTenants.median),
      ms(cost.claim.median),
      ms(cost.claim.p90),
      times(cost.claim.median / base.claim.median),
    ];
  });
  return textTable(
    [
      { title: 'engine', left: true },
      { title: 'tenants with due mail' },
      { title: 'outbox rows' },
      { title: 'find tenants ms' },
      { title: 'p90' },
      { title: 'vs fewest' },
      { title: `claim of ${CLAIM_WINDOW} ms` },
      { title: 'p90' },
      { title: 'vs fewest' },
    ],
    rows,
  );
}
