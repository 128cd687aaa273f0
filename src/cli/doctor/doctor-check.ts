/** One line of `tracewire doctor`'s report: what was checked, whether it passed, and how to fix it. @internal */
export interface DoctorCheck {
  readonly ok: boolean;
  readonly title: string;
  /** Further lines shown under the title. */
  readonly details?: readonly string[];
  /** How to fix it; present on every failure. */
  readonly remedy?: string;
}
