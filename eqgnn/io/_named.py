"""Molecules by name: ASE's G2 collection and SMILES strings embedded by RDKit."""

from __future__ import annotations

import difflib

from eqgnn.errors import InputError
from eqgnn.limits import cap_message, limits
from eqgnn.structure import Structure, make_structure

SMILES_SEED = 0xE3  # fixed ETKDG seed: the same SMILES gives the same coordinates


def g2_names() -> list[str]:
    """The names ``g2:NAME`` accepts: ASE's G2 collection (Curtiss et al. 1997), sorted.

    G2 gives small molecules with reference geometries, so a user can try a
    claim on butane or ethanol without a file.
    """
    from ase.collections import g2

    return sorted(g2.names)


def load_g2(name: str, source: str) -> Structure:
    """The G2 molecule ``name`` (case-sensitive, e.g. ``H2O``, ``trans-butane``)."""
    names = g2_names()
    if name not in names:
        close = [n for n in names if name and name.lower() in n.lower()]
        close = (close + difflib.get_close_matches(name, names, n=3))[:5]
        hint = f"did you mean {', '.join(close)}? " if close else ""
        raise InputError(
            f"{source}: unknown G2 molecule {name!r}; {hint}"
            f"eqgnn.io.g2_names() lists all {len(names)}"
        )
    from ase.build import molecule

    atoms = molecule(name)
    return make_structure(atoms.numbers, atoms.positions, name=name, source=source)


def load_smiles(smiles: str, source: str) -> Structure:
    """A 3D conformer of ``smiles``: hydrogens added, ETKDGv3 embedding, MMFF relaxation.

    The embedding seed is fixed, so a SMILES always gives the same
    coordinates. When MMFF has no parameters for an element the ETKDG
    geometry is kept (``info["mmff"]`` says which). RDKit's own log lines are
    blocked so the user sees only our one-line error.
    """
    from rdkit import Chem, rdBase
    from rdkit.Chem import AllChem

    with rdBase.BlockLogs():
        # RDKit reads a C string: a NUL would silently cut the SMILES short.
        printable = smiles.strip() and smiles.isprintable()
        mol = Chem.MolFromSmiles(smiles) if printable else None
        if mol is None:
            raise InputError(f"{source}: invalid SMILES {smiles!r}")
        mol = Chem.AddHs(mol)
        if mol.GetNumAtoms() > limits().atoms:  # refused before a long 3D embedding
            raise InputError(f"{source}: {cap_message('atoms', mol.GetNumAtoms())}")
        params = AllChem.ETKDGv3()
        params.randomSeed = SMILES_SEED
        if AllChem.EmbedMolecule(mol, params) != 0:
            raise InputError(f"{source}: RDKit could not embed {smiles!r} in 3D")
        relaxed = AllChem.MMFFHasAllMoleculeParams(mol)
        if relaxed:
            AllChem.MMFFOptimizeMolecule(mol, maxIters=2000)
    numbers = [atom.GetAtomicNum() for atom in mol.GetAtoms()]
    positions = mol.GetConformer().GetPositions()
    return make_structure(
        numbers, positions, name=smiles, source=source, info={"smiles": smiles, "mmff": relaxed}
    )
